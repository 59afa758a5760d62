import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadPolicyFile } from '../../src/config/policy-file.js';
import { resolvePlan } from '../../src/core/plan/resolve-plan.js';
import { applyEngineInput } from '../../src/core/rollout/rollout-machine.js';
import type { RolloutSnapshot } from '../../src/core/rollout/rollout-types.js';
import { BIN, REPO, runRollgate } from '../helpers/rollgate-cli.js';

// The rollout commands as a user runs them: `node bin/rollgate.js …` in a project folder,
// against the default SQLite store (.rollgate/rollgate.db) unless --store says otherwise.
let dir: string;
const children = new Set<ChildProcess>();

const POLICY = `version: 1
services:
  shop:
    router: { type: builtin, listen: "127.0.0.1:18080", stable: "http://127.0.0.1:19001", canary: "http://127.0.0.1:19002" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: builtin }
`;

const rollgate = (...args: string[]) =>
  runRollgate(args, { cwd: dir, env: { USER: 'alice', ROLLGATE_STORE: '' } });

function rollgateAsync(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', USER: 'bob', ROLLGATE_STORE: '' },
  });
  children.add(c);
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  c.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((r) =>
    c.on('exit', (code) => {
      children.delete(c);
      r({ code, stdout, stderr });
    }),
  );
}

/** A rollout in the store, moved to `running` (step 1) by the pure machine, as a controller would. */
async function seedRollout(
  store = join(dir, '.rollgate', 'rollgate.db'),
): Promise<RolloutSnapshot> {
  mkdirSync(dirname(store), { recursive: true });
  const policy = await loadPolicyFile({ cwd: dir, file: 'rollgate.yaml' });
  const app = await createApp({ policy, store, cwd: dir });
  try {
    await app.engine.stop(); // record only; nothing drives it here
    const plan = resolvePlan(policy, { releaseType: 'minor', service: 'shop' });
    const at = new Date().toISOString();
    const s = await app.engine.start({
      release: {
        id: `rel-${Math.random().toString(16).slice(2)}`,
        service: 'shop',
        version: 'v2.1.0',
        previousVersion: 'v2.0.0',
        type: 'minor',
        risk: 'medium',
        createdAt: at,
        createdBy: '@alice',
      },
      plan,
      actor: '@alice',
    });
    const t = applyEngineInput(s, { type: 'start' }, { at });
    await app.store.commit({
      rolloutId: s.id,
      expected: { state: s.state, epoch: s.epoch },
      next: t.next,
      events: t.events,
      outbox: t.outbox,
    });
    return t.next;
  } finally {
    await app.close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-rollout-'));
  writeFileSync(join(dir, 'rollgate.yaml'), POLICY);
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('rollout commands through the CLI', () => {
  let id: string;

  it('status, history and log on a rollout in flight; the store is .rollgate/rollgate.db', async () => {
    id = (await seedRollout()).id;
    const list = rollgate('status');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    const one = rollgate('status', id);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/shop \/ production, v2\.1\.0 replacing v2\.0\.0/);
    const log = rollgate('log', '--service', 'shop', 'p99 looks fine on the dashboard');
    expect(log.stderr).toBe('');
    expect(log.code).toBe(0);
    const json = JSON.parse(rollgate('status', id, '--json').stdout) as {
      events: { actor: string; type: string; data: { text?: string } }[];
    };
    expect(json.events.at(-1)).toMatchObject({
      actor: '@alice',
      type: 'observation.added',
      data: { text: 'p99 looks fine on the dashboard' },
    });
    const history = JSON.parse(rollgate('history', '--json').stdout) as { id: string }[];
    expect(history.map((r) => r.id)).toEqual([id]);
  });

  it('an unknown rollout id: exit 2, says so', () => {
    const run = rollgate('pause', 'ro-000000000000');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^rollgate: no rollout ro-000000000000 in this store\n {2}hint: /);
  });

  it('a second start for a service with a rollout in flight: refused, naming the running one', () => {
    const run = rollgate(
      'release',
      'start',
      '--service',
      'shop',
      '--version',
      'v2.2.0',
      '--type',
      'minor',
      '--previous-version',
      'v2.1.0',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `shop already has rollout ${id} (v2.1.0, running) in flight in production`,
    );
    expect(run.stderr).toContain(`rollgate abort ${id}`);
    const history = JSON.parse(rollgate('history', '--json').stdout) as unknown[];
    expect(history).toHaveLength(1);
  });

  it('the same command from two people at once: serialised, one applies it, the other is told why', async () => {
    const [a, b] = await Promise.all([
      rollgateAsync('pause', id, '--reason', 'checking the dashboard'),
      rollgateAsync('pause', id, '--actor', '@carol'),
    ]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 2]);
    const loser = a.code === 2 ? a : b;
    expect(loser.stderr).toMatch(
      new RegExp(
        `^rollgate: pause not applied to rollout ${id}: cannot pause: rollout is paused; last change: rollout.paused by @(bob|carol)`,
      ),
    );
    const status = JSON.parse(rollgate('status', id, '--json').stdout) as {
      rollout: RolloutSnapshot;
      events: { type: string }[];
    };
    expect(status.rollout.state).toBe('paused');
    expect(status.events.filter((e) => e.type === 'rollout.paused')).toHaveLength(1);
  });

  it('abort by --service rolls back at once (recorded; a controller does the work)', () => {
    const run = rollgate('abort', '--service', 'shop', '--json');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as RolloutSnapshot).state).toBe('rolling_back');
    const again = rollgate('abort', id);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /abort not applied to rollout .*: cannot abort: rollout is rolling back/,
    );
  });
});

describe('release start refuses what it cannot run, before writing anything', () => {
  it('no record of the running version and no --previous-version: exit 2, asks for it', () => {
    const run = rollgate(
      'release',
      'start',
      '--service',
      'shop',
      '--version',
      'v3',
      '--type',
      'patch',
      '--store',
      'fresh.db',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'rollgate has no record of the version of shop running in production',
    );
    expect(run.stderr).toContain('--previous-version');
  });

  it('a provider type this build lacks: exit 2 naming it; nothing recorded', () => {
    writeFileSync(
      join(dir, 'k8s.yaml'),
      POLICY.replace(
        'deployer: { type: command, deploy: "true", rollback: "true" }',
        'deployer: { type: kubernetes, namespace: shop, stableDeployment: shop, canaryDeployment: shop-canary, container: app, image: "shop:{version}" }',
      ).replace(
        'canary: "http://127.0.0.1:19002" }',
        'canary: "http://127.0.0.1:19002", admin: "127.0.0.1:19901" }',
      ),
    );
    const run = rollgate(
      'release',
      'start',
      '-f',
      'k8s.yaml',
      '--service',
      'shop',
      '--version',
      'v3',
      '--type',
      'patch',
      '--previous-version',
      'v2',
      '--store',
      'k8s.db',
    );
    expect(run.stderr).toMatch(
      /^rollgate: services\.shop \(production\) deployer: deployer type `kubernetes` is not available yet in this rollgate build\n {2}hint: (available deployer types: |no deployer type is available yet)/,
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(rollgate('history', '--json', '--store', 'k8s.db').stdout)).toEqual([]);
  });
});

describe('rollgate controller', () => {
  it('runs in the foreground and stops cleanly on SIGTERM (exit 0)', async () => {
    const c = spawn(process.execPath, [BIN, 'controller', '--store', 'controller.db'], {
      cwd: dir,
      env: { ...process.env, ROLLGATE_STORE: '' },
    });
    children.add(c);
    let stderr = '';
    const running = new Promise<void>((r) =>
      c.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('running')) r();
      }),
    );
    const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
    await running;
    c.kill('SIGTERM');
    expect(await exited).toBe(0);
    children.delete(c);
    expect(stderr).toBe(
      'rollgate controller: running (Ctrl-C stops)\nrollgate controller: stopped\n',
    );
  });

  it('--exit-when-idle returns at once when nothing is in flight', () => {
    const run = rollgate('controller', '--store', 'idle.db', '--exit-when-idle');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('rollgate controller: stopped');
  });
});

describe('store faults the user sees', () => {
  it('a corrupt database file: exit 2, a clear message, the file untouched', () => {
    const bad = join(dir, 'corrupt.db');
    writeFileSync(bad, 'this is not a database, just some text\n'.repeat(200));
    const before = readFileSync(bad);
    const run = rollgate('history', '--store', bad);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^rollgate: .*corrupt\.db is not a SQLite database/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(bad).equals(before)).toBe(true);
  });

  it('a locked database: exit 75 after the busy timeout, nothing written', async () => {
    const file = join(dir, 'locked.db');
    const s = await seedRollout(file);
    // another process holds the write lock
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D=require(${JSON.stringify(join(REPO, 'node_modules/better-sqlite3'))});` +
          `const db=new D(${JSON.stringify(file)});db.exec('begin immediate');` +
          `process.stdout.write('locked\\n');setInterval(()=>{},1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.add(holder);
    try {
      await new Promise<void>((r) => holder.stdout?.once('data', () => r()));
      const run = await rollgateAsync(
        'log',
        s.id,
        'during the lock',
        '--store',
        `file:${file}?busyTimeoutMs=300`,
      );
      expect(run.stderr).toMatch(/^rollgate: the SQLite store .*locked\.db is locked/);
      expect(run.code).toBe(75);
    } finally {
      holder.kill('SIGKILL');
      children.delete(holder);
    }
    const after = JSON.parse(rollgate('status', s.id, '--json', '--store', file).stdout) as {
      rollout: RolloutSnapshot;
    };
    expect(after.rollout.lastSeq).toBe(s.lastSeq);
  });

  it('PostgreSQL down: retries, then exit 75 naming host:port/database, never the password', async () => {
    const port = await new Promise<number>((r) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => r(p));
      });
    });
    const run = rollgate(
      'history',
      '--store',
      `postgres://rollgate:s3cret@127.0.0.1:${port}/rollgate`,
    );
    expect(run.code).toBe(75);
    expect(run.stderr).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port}/rollgate is unreachable after \\d+ attempts`),
    );
    expect(run.stderr).not.toContain('s3cret');
  });
});
