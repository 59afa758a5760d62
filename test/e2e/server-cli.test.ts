import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runRollgate } from '../helpers/rollgate-cli.js';

// `rollgate server` as a user runs it (a subprocess on 127.0.0.1, port 0, the default
// SQLite store, the policy in the folder), driven by the same CLI with --server/--token:
// outputs and exit codes as the local commands give them.
let dir: string;
let server: ChildProcess | undefined;
let url = '';
let serverErr = '';

const POLICY = `version: 1
services:
  shop:
    router: { type: command, setWeight: "true", getWeight: "echo 0" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: prometheus, url: "http://127.0.0.1:9" }
`;

const rollgate = (args: string[], env: Record<string, string> = {}) =>
  runRollgate(args, { cwd: dir, env: { USER: 'carol', ROLLGATE_STORE: '', ...env } });

function rollgateAsync(args: string[], env: Record<string, string> = {}) {
  const c = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', USER: 'carol', ROLLGATE_STORE: '', ...env },
  });
  let stdout = '';
  c.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  return new Promise<{ code: number | null; stdout: string }>((r) =>
    c.on('exit', (code) => r({ code, stdout })),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-server-'));
  writeFileSync(join(dir, 'rollgate.yaml'), POLICY);
  server = spawn(process.execPath, [BIN, 'server', '--port', '0'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', USER: 'carol', ROLLGATE_STORE: '' },
  });
  server.stderr?.on('data', (d: Buffer) => {
    serverErr += d.toString();
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serverErr);
    if (m?.[1]) {
      url = m[1];
      break;
    }
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) throw new Error(`rollgate server did not start:\n${serverErr}`);
});

afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('rollgate server and the remote CLI', () => {
  let rolloutId = '';
  let operator = '';
  let viewer = '';

  it('starts on loopback with no token: anonymous admin, and says so', async () => {
    expect(serverErr).toContain('act as admin @local');
    expect(serverErr).toContain('driving rollouts with rollgate.yaml');
    const started = rollgate([
      'release',
      'start',
      '--server',
      url,
      '--service',
      'shop',
      '--version',
      'v2.0.0',
      '--type',
      'minor',
      '--previous-version',
      'v1.9.0',
    ]);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const m = /^started (ro-[0-9a-f]{12}): shop v2\.0\.0 \(replacing v1\.9\.0\)/.exec(
      started.stdout,
    );
    expect(m?.[1]).toBeDefined();
    rolloutId = m?.[1] ?? '';
    const status = rollgate(['status', '--server', url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(rolloutId);
  });

  it('once tokens exist (made on the store), a remote command needs one: exit 2 without, 2 for a viewer', () => {
    const op = rollgate(['token', 'create', '--name', 'ops', '--role', 'operator']);
    expect(op.code).toBe(0);
    operator = op.stdout.trim();
    expect(operator).toMatch(/^rg_[0-9a-f]{12}_[0-9a-f]{64}$/);
    viewer = rollgate(['token', 'create', '--name', 'val', '--role', 'viewer']).stdout.trim();
    const list = rollgate(['token', 'list']);
    expect(list.stdout).toContain('@ops');
    expect(list.stdout).not.toContain(operator.slice(16));

    const anonymous = rollgate(['log', rolloutId, 'looks fine', '--server', url]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('needs an API token');
    const asViewer = rollgate(['log', rolloutId, 'looks fine', '--server', url, '--token', viewer]);
    expect(asViewer.code).toBe(2);
    expect(asViewer.stderr).toContain('needs the operator role');
    // a viewer reads
    const read = rollgate(['status', rolloutId, '--server', url, '--token', viewer]);
    expect(read.code).toBe(0);
    expect(read.stdout).toContain(
      `rollout ${rolloutId}: shop / production, v2.0.0 replacing v1.9.0`,
    );
  });

  it('an operator logs an observation and aborts; the events name it; --watch exits 3 when rolled back', async () => {
    const env = { ROLLGATE_SERVER: url, ROLLGATE_TOKEN: operator };
    const log = rollgate(['log', rolloutId, 'canary looks warm'], env);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(new RegExp(`^log: rollout ${rolloutId} \\(shop v2\\.0\\.0\\) is`));
    const watching = rollgateAsync(['status', rolloutId, '--watch'], env);
    const abort = rollgate(['abort', '--service', 'shop', '--reason', 'e2e'], env);
    expect(abort.code).toBe(0);
    expect(abort.stdout).toMatch(
      /^abort: rollout ro-[0-9a-f]{12} \(shop v2\.0\.0\) is (rolling_back|rolled_back)/,
    );
    const watched = await watching;
    expect(watched.code).toBe(3);
    expect(watched.stdout).toContain('rolled back');
    const json = JSON.parse(rollgate(['status', rolloutId, '--json'], env).stdout) as {
      events: { actor: string; type: string; message: string }[];
    };
    expect(json.events.find((e) => e.type === 'observation.added')?.actor).toBe('@ops');
    expect(json.events.find((e) => e.type === 'rollback.started')?.actor).toBe('@ops');
    // an illegal command: the same exit code as locally
    const again = rollgate(['pause', rolloutId], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`pause not applied to rollout ${rolloutId}`);
  });

  it('a revoked token stops working; an unreachable server is exit 75', () => {
    const id = (/^rg_([0-9a-f]{12})_/.exec(operator) ?? [])[1] ?? '';
    expect(rollgate(['token', 'revoke', id]).code).toBe(0);
    const revoked = rollgate(['status', rolloutId, '--server', url, '--token', operator]);
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain('revoked');
    const down = rollgate(['status', '--server', 'http://127.0.0.1:9']);
    expect(down.code).toBe(75);
    expect(down.stderr).toContain('cannot reach the rollgate server');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => server?.on('exit', (code) => r(code)));
    server?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(serverErr).toContain('rollgate server: stopped');
  });
});
