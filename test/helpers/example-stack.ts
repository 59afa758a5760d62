import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runtimeApiCommand } from '../../src/adapters/routers/haproxy/haproxy-runtime-api.js';
import { freePort, sleep, tempDir } from './real-servers.js';

const run = promisify(execFile);
export const REPO = resolve(import.meta.dirname, '../..');
export const EXAMPLE = join(REPO, 'examples', 'haproxy-prometheus');
const BIN = join(REPO, 'bin', 'rollgate.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * examples/haproxy-prometheus started by its own scripts on free ports, in a temp dir:
 * both pools (demo service), HAProxy, Prometheus scraping every second, the example's
 * `rollgate.yaml` with this run's ports and paths (nothing else changed), and its load.
 */
export interface ExampleStack {
  dir: string;
  env: NodeJS.ProcessEnv;
  front: string;
  promUrl: string;
  socket: string;
  /** `rollgate <args>` as a subprocess in the example's directory; `onLine` sees stdout lines. */
  rollgate(args: string[], onLine?: (line: string) => void): Promise<CliRun>;
  /** Runs one of the example's scripts. */
  script(name: string, args?: string[]): Promise<string>;
  /** HAProxy's canary weight (absolute, of 200), read over the runtime API. */
  canaryWeight(): Promise<number>;
  /** HAProxy's 5xx answers (`show stat`): all clients saw, and per server. */
  errors5xx(): Promise<{ clients: number; stable: number; canary: number }>;
  /** The version a pool answers with, through HAProxy's override header. */
  versionOf(pool: 'canary' | 'stable'): Promise<string | null>;
  prometheusPid(): Promise<number>;
  startLoad(rate: number): void;
  stop(): Promise<void>;
}

export async function startExampleStack(
  extraEnv: Record<string, string> = {},
): Promise<ExampleStack> {
  const tmp = await tempDir('example-e2e');
  const ports = {
    FRONT_PORT: await freePort(),
    METRICS_PORT: await freePort(),
    STABLE_PORT: await freePort(),
    CANARY_PORT: await freePort(),
    PROM_PORT: await freePort(),
  };
  const runDir = join(tmp.path, 'run');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ROLLGATE_EXAMPLE_RUN: runDir,
    SCRAPE_INTERVAL: '1s',
    ROLLGATE_STORE: '',
    USER: 'ci',
    ...extraEnv,
  };
  const front = `http://127.0.0.1:${ports.FRONT_PORT}`;
  const promUrl = `http://127.0.0.1:${ports.PROM_PORT}`;
  const socket = join(runDir, 'haproxy.sock');
  const children = new Set<ChildProcess>();

  const script = async (name: string, args: string[] = []) =>
    (await run(join(EXAMPLE, name), args, { env, timeout: 90_000 })).stdout;

  const stop = async () => {
    for (const child of children) killGroup(child, 'SIGTERM');
    await script('stop.sh').catch(() => undefined);
    await sleep(300);
    for (const child of children) killGroup(child, 'SIGKILL');
    await tmp.remove();
  };

  try {
    await script('start.sh');
    // The example's policy, pointed at this run's ports, socket and scripts.
    const policy = (await readFile(join(EXAMPLE, 'rollgate.yaml'), 'utf8'))
      .replaceAll('./run/haproxy.sock', socket)
      .replaceAll('127.0.0.1:9090', `127.0.0.1:${ports.PROM_PORT}`)
      .replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.FRONT_PORT}`)
      .replaceAll('./deploy.sh', join(EXAMPLE, 'deploy.sh'))
      .replaceAll('./rollback.sh', join(EXAMPLE, 'rollback.sh'));
    await writeFile(join(tmp.path, 'rollgate.yaml'), policy);
  } catch (err) {
    await stop();
    throw err;
  }

  const spawnTracked = (command: string, args: string[]) => {
    const child = spawn(command, args, {
      cwd: tmp.path,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  };

  return {
    dir: tmp.path,
    env,
    front,
    promUrl,
    socket,
    script,
    rollgate(args, onLine) {
      const child = spawnTracked(process.execPath, [BIN, ...args]);
      let stdout = '';
      let stderr = '';
      let partial = '';
      child.stdout?.on('data', (d: Buffer) => {
        stdout += d.toString();
        partial += d.toString();
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine?.(line);
      });
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      return new Promise((r) =>
        child.once('exit', (code) => r({ code, stdout, stderr: stderr.trim() })),
      );
    },
    async canaryWeight() {
      const answer = await runtimeApiCommand(socket, 'get weight demo/canary', {
        timeoutMs: 2_000,
      });
      const weight = Number(/^(\d+)/.exec(answer.trim())?.[1]);
      if (!Number.isFinite(weight)) throw new Error(`unexpected runtime API answer: ${answer}`);
      return weight;
    },
    async errors5xx() {
      const csv = await runtimeApiCommand(socket, 'show stat', { timeoutMs: 2_000 });
      const [head, ...rows] = csv.replace(/^# /, '').trim().split('\n');
      const columns = (head ?? '').split(',');
      const col = (name: string) => columns.indexOf(name);
      const count = (px: string, sv: string) => {
        const row = rows
          .map((r) => r.split(','))
          .find((r) => r[col('pxname')] === px && r[col('svname')] === sv);
        if (!row) throw new Error(`no ${px}/${sv} in show stat: ${csv.slice(0, 300)}`);
        return Number(row[col('hrsp_5xx')] || 0);
      };
      return {
        clients: count('web', 'FRONTEND'),
        stable: count('demo', 'stable'),
        canary: count('demo', 'canary'),
      };
    },
    async versionOf(pool) {
      const res = await fetch(`${front}/v1/health`, { headers: { 'x-rollgate-version': pool } });
      await res.arrayBuffer();
      return res.headers.get('x-demo-version');
    },
    async prometheusPid() {
      return Number((await readFile(join(runDir, 'prometheus.pid'), 'utf8')).trim());
    },
    startLoad(rate) {
      spawnTracked(join(EXAMPLE, 'load.sh'), [String(rate), '600']);
    },
    stop,
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {}
}
