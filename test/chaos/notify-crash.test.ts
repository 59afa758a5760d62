import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import { seededRandom } from '../../src/demo/seeded-random.js';
import {
  type NotifyReceiver,
  type ReceivedRequest,
  startReceiver,
} from '../helpers/notify-receiver.js';
import { killAfter, killRunningControllers, spawnController } from './controller-run.js';

/**
 * Notifications under SIGKILL (issue #9): a controller delivering real notifications
 * (signed webhooks and Slack, through the notifier adapters built from the policy) to
 * local HTTP receivers is killed at 36 seeded instants, a new one started each time on
 * the same SQLite store. Every other release rolls back, so incidents open, escalate
 * (delayed messages) and resolve (the delayed ones are then cancelled) across the kills.
 *
 * The guarantee, precisely: every message the outbox holds as delivered reached its
 * receiver at least once; after dedupe by idempotency key it reached it exactly once,
 * always with the same content; no cancelled escalation and no unknown key was ever sent;
 * and repeats (a kill between the receiver's answer and `markDelivered`) are at most one
 * per kill, since the dispatcher sends one message at a time.
 */
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const child = join(repo, 'test/chaos/notify-child.mjs');
const KILLS = 36;
const SEED = 9_2026;
const SECRET = `whsec_${Buffer.from('notify-chaos-signing-key-0123456').toString('base64')}`;

function policy(releases: string, oncall: string): string {
  return `version: 1
services:
  shop:
    router: { type: builtin, listen: "127.0.0.1:18081", stable: "http://127.0.0.1:19011", canary: "http://127.0.0.1:19012" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: builtin }
    checks:
      health: { type: http, url: "http://127.0.0.1:18081/health" }
      smoke: { type: http, url: "http://127.0.0.1:18081/checkout" }
releaseTypes:
  minor: { strategy: chaos }
strategies:
  chaos:
    - { type: checks, phase: preflight }
    - { type: deploy, target: canary }
    - { type: checks, phase: smoke }
    - { type: traffic, weight: 50%, hold: 1s, maxHold: 2s, onTimeout: promote }
    - { type: traffic, weight: 100%, analysis: false, hold: 1s }
    - { type: deploy, target: stable }
notifications:
  channels:
    releases: { type: webhook, url: "${releases}", secret: "\${env:CHAOS_WEBHOOK_SECRET}" }
    oncall: { type: webhook, url: "${oncall}", secret: "\${env:CHAOS_WEBHOOK_SECRET}" }
    audit: { type: slack, webhook: "\${env:CHAOS_SLACK_URL}" }
  escalation:
    releases: { channels: [releases] }
    on-call: { after: 2s, channels: [oncall] }
    leadership: { after: 4s, channels: [oncall] }
`;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  killRunningControllers();
  for (const f of cleanup.reverse()) await f();
});

const spawnChild = (dir: string, env: Record<string, string>) =>
  spawnController(child, [join(dir, 'chaos.db'), join(dir, 'rollgate.yaml'), join(dir, 'stop')], {
    cwd: dir,
    env,
  });

/** The idempotency key a request carries: Standard Webhooks' `webhook-id`, Slack's context line. */
function keyOf(r: ReceivedRequest): string {
  const id = r.headers['webhook-id'];
  if (typeof id === 'string') return id;
  const m = /id `([^`]+)`/.exec(r.body);
  return m?.[1] ?? '';
}

describe('notifications while the controller is killed with SIGKILL 36 times', () => {
  it('every delivered message reached its receiver, exactly once after dedupe by key', async () => {
    const random = seededRandom(SEED);
    // Slow-ish receivers: the kills land during deliveries.
    const slow = () => ({ status: 200, delayMs: Math.floor(random() * 40) });
    const receivers: Record<string, NotifyReceiver> = {
      releases: await startReceiver(slow),
      oncall: await startReceiver(slow),
      audit: await startReceiver(slow),
    };
    for (const r of Object.values(receivers)) cleanup.push(() => r.close());
    const dir = mkdtempSync(join(tmpdir(), 'rollgate-notify-chaos-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'rollgate.yaml'),
      policy(`${receivers.releases?.url}/hook`, `${receivers.oncall?.url}/page`),
    );
    const env = {
      CHAOS_WEBHOOK_SECRET: SECRET,
      CHAOS_SLACK_URL: `${receivers.audit?.url}/services/T0/B0/chaoschaos`,
    };

    let kills = 0;
    while (kills < KILLS) {
      await killAfter(spawnChild(dir, env), 150 + Math.floor(random() * 900));
      kills += 1;
    }
    writeFileSync(join(dir, 'stop'), '');
    const last = spawnChild(dir, env);
    const ended = await last.exit;
    expect(ended.out).toContain('done');
    expect(ended.code).toBe(0);

    const store = new SqlStore(sqliteBackend(join(dir, 'chaos.db')));
    cleanup.push(() => store.close());
    await store.migrate();
    const rows = await store.listOutbox({ limit: 100_000 });
    const rollouts = await store.listRollouts({ service: 'shop', limit: 1000 });
    const rolledBack = rollouts.filter((r) => r.state === 'rolled_back');
    expect(rollouts.every((r) => r.state === 'completed' || r.state === 'rolled_back')).toBe(true);
    expect(rolledBack.length).toBeGreaterThanOrEqual(2);
    // every rollback opened one incident, and each one resolved
    for (const r of rolledBack) {
      expect((await store.getIncident(`INC-${r.id}`))?.status).toBe('resolved');
    }

    // Nothing due is left undelivered; what is still pending is the auto-opened post-mortems'
    // due/overdue reminders, scheduled a day or two ahead.
    const endedAt = Date.now();
    const notDue = (m: (typeof rows)[number]) =>
      m.status === 'pending' && Date.parse(m.nextAttemptAt) > endedAt;
    expect(
      rows.filter((m) => m.status === 'dead' || (m.status === 'pending' && !notDue(m))),
    ).toEqual([]);
    expect(rows.filter(notDue).every((m) => m.eventType.startsWith('postmortem.'))).toBe(true);
    const delivered = rows.filter((m) => m.status === 'delivered');
    const cancelled = rows.filter((m) => m.status === 'cancelled');
    // the escalations of the resolved incidents were cancelled, not sent
    expect(cancelled.length).toBe(rolledBack.length * 2);
    expect(cancelled.every((m) => m.eventType === 'incident.escalated')).toBe(true);

    let seen = 0;
    let repeats = 0;
    for (const [channel, receiver] of Object.entries(receivers)) {
      const expected = new Set(
        delivered.filter((m) => m.route === channel).map((m) => m.idempotencyKey),
      );
      const bodies = new Map<string, Set<string>>();
      for (const r of receiver.requests) {
        const key = keyOf(r);
        const set = bodies.get(key) ?? new Set<string>();
        set.add(r.body);
        bodies.set(key, set);
      }
      seen += receiver.requests.length;
      repeats += receiver.requests.length - bodies.size;
      // nothing unknown, nothing cancelled: after dedupe by key, exactly the delivered set
      expect([...bodies.keys()].sort()).toEqual([...expected].sort());
      // a key never came with two different contents
      for (const [key, set] of bodies) expect(set.size, key).toBe(1);
    }
    expect(repeats).toBeLessThanOrEqual(kills);
    console.log(
      `notify chaos: ${kills} kills, ${rollouts.length} rollouts (${rolledBack.length} rolled back), ` +
        `${delivered.length} messages delivered, ${cancelled.length} escalations cancelled, ` +
        `${seen} requests received, ${repeats} repeats (same key, same content)`,
    );
  }, 600_000);
});
