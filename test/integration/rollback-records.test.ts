import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { runController } from '../../src/app/run-controller.js';
import { type App, type AppConfig, createApp } from '../../src/app.js';
import type { ArmBatch } from '../../src/core/judge/judge-types.js';
import { resolvePlan } from '../../src/core/plan/resolve-plan.js';
import {
  builtinLayer,
  compilePolicy,
  parsePolicyLayer,
} from '../../src/core/policy/compile-policy.js';
import type { Policy } from '../../src/core/policy/policy-types.js';
import type { ForensicsBundle } from '../../src/core/records/forensics.js';
import type { Release } from '../../src/core/rollout/rollout-types.js';
import type { MetricWindow } from '../../src/ports/metric-source.js';

// The rollback reaction (ADR 0140) on a real SQLite store: a rollback opens exactly one
// post-mortem with its forensics and risk entries, also when the controller that rolled
// back died before doing it.

function policy(): Policy {
  const layer = parsePolicyLayer(
    `version: 1
services:
  shop:
    router: { type: haproxy, runtimeApi: /run/haproxy.sock, backend: shop, stableServer: s, canaryServer: c }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: prometheus, url: "http://127.0.0.1:9090" }
    checks:
      health: { type: http, url: "http://127.0.0.1:8080/health" }
`,
    'rollgate.yaml',
  );
  if (!layer.ok) throw new Error(JSON.stringify(layer.issues));
  const result = compilePolicy([builtinLayer(), layer.layer]);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

const arm = (requests: number, errors: number): ArmBatch => ({
  requests,
  errors,
  latency: { '0.1': requests, '+Inf': requests },
  endpoints: { '/pay': { requests, errors } },
});

const dirs: string[] = [];
const apps: App[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-rb-records-'));
  dirs.push(dir);
  const windows: MetricWindow[] = [];
  const config = (records: AppConfig['records']): AppConfig => ({
    policy: policy(),
    store: join(dir, 'rollgate.db'),
    cwd: dir,
    records,
    engine: {
      batchIntervalMs: 50,
      retry: { attempts: 1, initialDelayMs: 1, maxDelayMs: 1, factor: 1 },
    },
    providers: {
      routers: {
        haproxy: () => ({ name: 'r', setWeight: async () => undefined, getWeight: async () => 0 }),
      },
      metrics: {
        prometheus: () => ({
          name: 'fake-metrics',
          read: async (_t, w) => {
            windows.push(w);
            return { ok: true, batch: { baseline: arm(900, 1), canary: arm(100, 7) } };
          },
        }),
      },
      deployers: {
        command: () => ({
          name: 'd',
          deploy: async () => ({ ok: true, message: 'deployed' }),
          rollback: async () => ({ ok: true, message: 'restored' }),
        }),
      },
      checks: {
        http: (name) => ({
          name,
          run: async () => ({ name, ok: true, durationMs: 1, message: 'ok' }),
        }),
      },
    },
  });
  return { dir, windows, config };
}

async function open(config: AppConfig): Promise<App> {
  const app = await createApp(config);
  apps.push(app);
  return app;
}

async function rollBack(app: App): Promise<string> {
  const release: Release = {
    id: 'rel-1',
    service: 'shop',
    version: 'v2.0.0',
    previousVersion: 'v1.9.0',
    type: 'minor',
    risk: 'medium',
    createdAt: new Date().toISOString(),
    createdBy: '@alex',
  };
  const plan = resolvePlan(app.policy as Policy, { releaseType: 'minor', service: 'shop' });
  const s = await app.engine.start({ release, plan, actor: '@alex' });
  await app.engine.command(s.id, 'abort', '@alex');
  for (let i = 0; i < 200; i++) {
    const now = await app.store.getRollout(s.id);
    if (now?.state === 'rolled_back') return s.id;
    await sleep(20);
  }
  throw new Error('the rollout did not roll back');
}

type Full = SqlStore;

describe('the rollback reaction', () => {
  it('opens the post-mortem (due 48 h after), stores and writes the forensics, syncs the risks', async () => {
    const { dir, windows, config } = setup();
    const app = await open(config({ settleMs: 0 }));
    const store = app.store as Full;
    await store.createRisk(
      {
        title: 'Checkout slows under load',
        likelihood: 'low',
        impact: 'low',
        owner: '@sre',
        services: ['shop'],
      },
      { at: new Date().toISOString(), actor: '@sre' },
    );
    const id = await rollBack(app);
    await app.records?.settled();

    const pms = await store.listPostMortems();
    expect(pms).toHaveLength(1);
    const pm = pms[0]!;
    expect(pm).toMatchObject({ rolloutId: id, failedVersion: 'v2.0.0', restoredVersion: 'v1.9.0' });
    const events = await store.listEvents(id);
    const done = events.find((e) => e.type === 'rollback.completed')!;
    expect(Date.parse(pm.dueAt) - Date.parse(done.at)).toBe(48 * 3600 * 1000);

    // forensics: in the store, with what the versions served over the whole exposure
    const captured = await store.getForensics(id);
    const bundle = captured?.bundle as unknown as ForensicsBundle;
    expect(bundle.served?.newVersion).toMatchObject({ requests: 100, errors: 7 });
    expect(bundle.served?.source).toBe('fake-metrics');
    expect(bundle.policy.steps.length).toBeGreaterThan(3);
    expect(bundle.outputs.some((o) => o.source === 'deployer' && o.name === 'rollback')).toBe(true);
    const read = windows.find((w) => w.use === 'records')!;
    const started = events.find((e) => e.type === 'rollout.started') ?? events[0]!;
    expect(read.from).toBe(Date.parse(started.at));
    expect(read.to).toBeGreaterThanOrEqual(Date.parse(done.at));
    // … and in a folder (seed 001's forensics directory)
    // next to the SQLite store file
    const folder = join(dir, 'forensics', `v2.0.0-${id}`);
    for (const f of [
      'metadata.json',
      'served.json',
      'policy.json',
      'router.json',
      'outputs.log',
      'bundle.json',
    ]) {
      expect(existsSync(join(folder, f)), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(folder, 'metadata.json'), 'utf8'))).toMatchObject({
      rolloutId: id,
      failedVersion: 'v2.0.0',
    });

    // the linked risk: one rollback entry, review brought forward to a week after
    const risk = (await store.getRisk('RISK-1'))!;
    expect(risk.history.map((h) => h.kind)).toEqual(['created', 'rollback']);
    expect(risk.history[1]?.rolloutId).toBe(id);
    const week = new Date(Date.parse(done.at.slice(0, 10)) + 7 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    expect(risk.reviewOn).toBe(week);
  });

  it('a controller killed right after the rollback: the next one opens exactly one post-mortem', async () => {
    const { config } = setup();
    // the first controller rolls back and "dies" before its reaction runs (turned off)
    const first = await open(config(false));
    const id = await rollBack(first);
    expect(await (first.store as Full).listRollbacksWithoutPostMortem(10)).toEqual([id]);
    await first.close();

    // the next controllers (two at once, racing) and a retried pass
    const a = await open(config({ settleMs: 0 }));
    const b = await open(config({ settleMs: 0 }));
    const stop = new AbortController();
    await Promise.all([
      runController(a, { signal: stop.signal, exitWhenIdle: true, pollMs: 10 }),
      b.records?.reconcile(),
      b.records?.open(id),
    ]);
    await a.records?.reconcile();
    const store = b.store as Full;
    const pms = await store.listPostMortems();
    expect(pms.map((p) => p.rolloutId)).toEqual([id]);
    expect(await store.listRollbacksWithoutPostMortem(10)).toEqual([]);
    expect(await store.getForensics(id)).toBeDefined();
  });
});
