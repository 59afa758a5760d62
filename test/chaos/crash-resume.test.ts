import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app/store-registry.js';
import { rebuildSnapshot } from '../../src/core/rollout/rollout-reducer.js';
import type { RolloutSnapshot } from '../../src/core/rollout/rollout-types.js';
import { seededRandom } from '../../src/demo/seeded-random.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres.js';
import { killAfter, killRunningControllers, spawnController } from './controller-run.js';

/**
 * The crash test (issue #3): a controller process runs rollouts against a real store and
 * is killed with SIGKILL at 50+ seeded random instants; each time a new one starts on the
 * same store. Afterwards every rollout has completed, each timeline is gapless and rebuilds
 * its snapshot, no step ran twice, and every notification reached the receiver.
 *
 * What is guaranteed about notifications, precisely: the outbox is written in the same
 * transaction as its event (never lost, never written twice: unique idempotency keys), and
 * delivered at least once. A kill between the receiver's answer and `markDelivered` makes
 * the next controller send that message again, under the same idempotency key; the
 * receiver accepts a key once and answers a repeat with 200 without acting on it. So the
 * test asserts: every key accepted exactly once, every message delivered, and at most one
 * repeat per kill (the dispatcher sends one message at a time).
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const child = join(repo, 'test/chaos/chaos-child.mjs');
const KILLS = 50;
const SEED = 20_261_122;

const POLICY = `version: 1
services:
  shop:
    router: { type: builtin, listen: "127.0.0.1:18080", stable: "http://127.0.0.1:19001", canary: "http://127.0.0.1:19002" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: builtin }
    checks:
      health: { type: http, url: "http://127.0.0.1:18080/health" }
releaseTypes:
  minor: { strategy: chaos }
strategies:
  chaos:
    - { type: checks, phase: preflight }
    - { type: deploy, target: canary }
    - { type: traffic, weight: 10%, hold: 1s, maxHold: 2s, onTimeout: promote }
    - { type: traffic, weight: 50%, hold: 1s, maxHold: 2s, onTimeout: promote }
    - { type: traffic, weight: 100%, analysis: false, hold: 1s }
    - { type: deploy, target: stable }
    - { type: watch, windows: [chaos] }
watch:
  chaos: { from: 0s, to: 2s }
`;

interface Receiver {
  url: string;
  accepted: Map<string, number>;
  repeats: string[];
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const accepted = new Map<string, number>();
  const repeats: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '');
      if (key === '' || JSON.parse(body).key !== key) {
        res.writeHead(400).end();
        return;
      }
      if (accepted.has(key)) repeats.push(key);
      else accepted.set(key, 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, accepted, repeats, server };
}

interface OutboxRow {
  key: string;
  status: string;
}

async function outboxRows(spec: string): Promise<OutboxRow[]> {
  if (spec.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: spec });
    await client.connect();
    try {
      const r = await client.query(
        'select idempotency_key as key, status from rollgate_outbox order by position',
      );
      return r.rows as OutboxRow[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(spec, { readonly: true });
  try {
    return db
      .prepare('select idempotency_key as key, status from rollgate_outbox order by position')
      .all() as OutboxRow[];
  } finally {
    db.close();
  }
}

afterAll(killRunningControllers);

const spawnChild = (spec: string, dir: string, receiver: string) =>
  spawnController(child, [spec, join(dir, 'rollgate.yaml'), receiver, join(dir, 'stop')], {
    cwd: dir,
  });

async function crashTest(spec: string, label: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `rollgate-chaos-${label}-`));
  writeFileSync(join(dir, 'rollgate.yaml'), POLICY);
  const receiver = await startReceiver();
  const random = seededRandom(SEED);
  const store = await openStore(spec, { cwd: dir });
  try {
    let kills = 0;
    let restarts = 0;
    /** Per rollout: how far the store said it was at each kill. */
    const progress = new Map<string, { step: number; seq: number }>();
    while (kills < KILLS) {
      restarts += 1;
      // a random instant in the next 900 ms of its life
      await killAfter(spawnChild(spec, dir, receiver.url), Math.floor(random() * 900));
      kills += 1;
      for (const s of await store.listRollouts({ service: 'shop' })) {
        const before = progress.get(s.id);
        // the rollout went on from where the store said: never back a step, never fewer events
        if (before) {
          expect(s.stepIndex).toBeGreaterThanOrEqual(before.step);
          expect(s.lastSeq).toBeGreaterThanOrEqual(before.seq);
        }
        progress.set(s.id, { step: s.stepIndex, seq: s.lastSeq });
      }
    }
    writeFileSync(join(dir, 'stop'), '');
    const last = spawnChild(spec, dir, receiver.url);
    const ended = await last.exit;
    expect(ended.out).toContain('done');
    expect(ended.code).toBe(0);

    const rollouts = await store.listRollouts({ service: 'shop' });
    expect(rollouts.length).toBeGreaterThanOrEqual(2);
    for (const s of rollouts) {
      expect(s.state).toBe('completed');
      const events = await store.listEvents(s.id);
      // gapless, no duplicates, and the snapshot is exactly the fold of its events
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(rebuildSnapshot(events)).toEqual(s as RolloutSnapshot);
      // every step started and completed exactly once, in order: no step was redone
      const started = events.filter((e) => e.type === 'step.started').map((e) => e.data.step);
      const completed = events.filter((e) => e.type === 'step.completed').map((e) => e.data.step);
      const steps = s.plan.steps.map((_, i) => i);
      expect(started).toEqual(steps);
      expect(completed).toEqual(steps);
      expect(events.filter((e) => e.type === 'rollout.completed')).toHaveLength(1);
    }

    const rows = await outboxRows(spec.startsWith('postgres') ? spec : join(dir, spec));
    const keys = rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    // started + promoted ×2 + completed per rollout, at least
    expect(keys.length).toBeGreaterThanOrEqual(rollouts.length * 4);
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);
    // every message accepted by the receiver exactly once; nothing it never had in the outbox
    expect([...receiver.accepted.keys()].sort()).toEqual([...keys].sort());
    expect(receiver.repeats.length).toBeLessThanOrEqual(kills);
    console.log(
      `${label}: ${kills} kills, ${restarts + 1} controllers, ${rollouts.length} rollouts completed, ` +
        `${keys.length} notifications accepted once each, ${receiver.repeats.length} repeats refused by key`,
    );
  } finally {
    await store.close();
    await new Promise((r) => receiver.server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a controller killed with SIGKILL at 50 random instants', () => {
  it('SQLite: every rollout completes, timelines are gapless, each notification accepted once', async () => {
    await crashTest('chaos.db', 'sqlite');
  });

  let server: PostgresServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('PostgreSQL: the same', async (ctx) => {
    const started = await startPostgres();
    if (started.skip !== undefined) {
      ctx.skip(started.skip);
      return;
    }
    server = started.server;
    await crashTest(await server.createDatabase('chaos'), 'postgres');
  });
});
