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
  /** Runs one of the example's scripts (`env`: more variables, e.g. a deployer's ROLLGATE_*). */
  script(name: string, args?: string[], env?: Record<string, string>): Promise<string>;
  /** HAProxy's canary weight (absolute, of 200), read over the runtime API. */
  canaryWeight(): Promise<number>;
  /** HAProxy's stable weight (absolute, of 200). */
  stableWeight(): Promise<number>;
  /** Sets the canary weight (absolute, of 200; stable gets the rest) the way rollgate does. */
  setCanaryWeight(weight: number): Promise<void>;
  /**
   * HAProxy's own account (`show stat`) of the 5xx answers and of the requests it had to
   * retry or could not deliver. Read it after `stopLoad()`: a server counts a response when
   * its headers arrive, the frontend when the exchange ends.
   */
  haproxyCounts(): Promise<HaproxyCounts>;
  /** The version a pool answers with, through HAProxy's override header. */
  versionOf(pool: 'canary' | 'stable'): Promise<string | null>;
  prometheusPid(): Promise<number>;
  /** `./load.sh <rate>` in the background. */
  startLoad(rate: number): void;
  /** Stops the load (SIGTERM: it sends no more and waits for its answers) and returns what it saw. */
  stopLoad(): Promise<LoadSeen>;
  stop(): Promise<void>;
}

/** load.sh's report: what its clients saw, by HTTP status (0: reset or timeout). */
export interface LoadSeen {
  sent: number;
  failed: number;
  byStatus: Record<string, number>;
}

export interface HaproxyCounts {
  /** 5xx answers sent to clients by the `web` frontend, whoever made them. */
  clients5xx: number;
  /** 5xx answers from each server. */
  stable5xx: number;
  canary5xx: number;
  /** Requests re-sent to a server (`wretr`) or to the other one (`wredis`), both servers. */
  retried: number;
  /** Connections refused or broken under a request (`econ` + `eresp`), both servers. */
  failedExchanges: number;
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
  let load: { child: ChildProcess; report: Promise<string> } | undefined;

  const script = async (name: string, args: string[] = [], more: Record<string, string> = {}) =>
    (await run(join(EXAMPLE, name), args, { env: { ...env, ...more }, timeout: 90_000 })).stdout;

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

  const weightOf = async (server: 'canary' | 'stable') => {
    const answer = await runtimeApiCommand(socket, `get weight demo/${server}`, {
      timeoutMs: 2_000,
    });
    const weight = Number(/^(\d+)/.exec(answer.trim())?.[1]);
    if (!Number.isFinite(weight)) throw new Error(`unexpected runtime API answer: ${answer}`);
    return weight;
  };

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
    canaryWeight: () => weightOf('canary'),
    stableWeight: () => weightOf('stable'),
    async setCanaryWeight(weight) {
      // The server that gains weight first: the two never sum to less than 200.
      const set = [
        `set server demo/canary weight ${weight}`,
        `set server demo/stable weight ${200 - weight}`,
      ];
      if (weight < (await weightOf('canary'))) set.reverse();
      for (const command of set) await runtimeApiCommand(socket, command, { timeoutMs: 2_000 });
    },
    async haproxyCounts() {
      const csv = await runtimeApiCommand(socket, 'show stat', { timeoutMs: 2_000 });
      const [head, ...rows] = csv.replace(/^# /, '').trim().split('\n');
      const columns = (head ?? '').split(',');
      const count = (px: string, sv: string, ...fields: string[]) => {
        const row = rows
          .map((r) => r.split(','))
          .find((r) => r[columns.indexOf('pxname')] === px && r[columns.indexOf('svname')] === sv);
        if (!row) throw new Error(`no ${px}/${sv} in show stat: ${csv.slice(0, 300)}`);
        return fields.reduce((sum, f) => sum + Number(row[columns.indexOf(f)] || 0), 0);
      };
      const servers = (...fields: string[]) =>
        count('demo', 'stable', ...fields) + count('demo', 'canary', ...fields);
      return {
        clients5xx: count('web', 'FRONTEND', 'hrsp_5xx'),
        stable5xx: count('demo', 'stable', 'hrsp_5xx'),
        canary5xx: count('demo', 'canary', 'hrsp_5xx'),
        retried: servers('wretr', 'wredis'),
        failedExchanges: servers('econ', 'eresp'),
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
      if (load !== undefined) throw new Error('the load is already running');
      const child = spawnTracked(join(EXAMPLE, 'load.sh'), [String(rate), '600']);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const exited = new Promise<void>((r) => child.once('close', () => r()));
      load = { child, report: exited.then(() => out) };
    },
    async stopLoad() {
      if (load === undefined) throw new Error('no load is running');
      killGroup(load.child, 'SIGTERM');
      const out = await load.report;
      load = undefined;
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        return JSON.parse(line) as LoadSeen;
      } catch {
        throw new Error(`load.sh printed no report: ${out.slice(-500)}`);
      }
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
