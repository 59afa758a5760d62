import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../../src/app/provider-registry.js';
import { runController } from '../../src/app/run-controller.js';
import { createApp } from '../../src/app.js';
import { resolvePlan } from '../../src/core/plan/resolve-plan.js';
import { parsePolicy } from '../../src/core/policy/compile-policy.js';
import type { Release } from '../../src/core/rollout/rollout-types.js';
import { isIncidentStore } from '../../src/ports/incident-store.js';
import { type NotifyReceiver, startReceiver } from '../helpers/notify-receiver.js';

// Escalation with real receivers: the composition root builds signed-webhook notifiers
// from the policy; a rollback whose deployer keeps failing leaves the incident open, so
// on-call hears it after 5 min and leadership after 15 min (seed 003), on a clock running
// 600 times faster. A rollback that works cancels both.
const dir = mkdtempSync(join(tmpdir(), 'rollgate-escalation-'));
const receivers: NotifyReceiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
  rmSync(dir, { recursive: true, force: true });
});
const SECRET = `whsec_${Buffer.from('escalation-test-signing-key-0001').toString('base64')}`;
const SPEED = 600;

function policyText(urls: Record<string, string>): string {
  const channel = (u: string) => `{ type: webhook, url: "${u}", secret: "\${env:HOOK_SECRET}" }`;
  return `version: 1
services:
  shop:
    router: { type: builtin, listen: "127.0.0.1:18090", stable: "http://127.0.0.1:19021", canary: "http://127.0.0.1:19022" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: builtin }
    checks:
      smoke: { type: http, url: "http://127.0.0.1:18090/checkout" }
releaseTypes:
  minor: { strategy: short }
strategies:
  short:
    - { type: deploy, target: canary }
    - { type: checks, phase: smoke }
    - { type: traffic, weight: 100%, analysis: false, hold: 1m }
notifications:
  channels:
    releases: ${channel(urls.releases as string)}
    oncall: ${channel(urls.oncall as string)}
    leaders: ${channel(urls.leaders as string)}
  escalation:
    releases: { channels: [releases] }
    on-call: { channels: [oncall] }
    leadership: { channels: [leaders] }
`;
}

/** The smoke check fails (a rollback); the deployer's rollback fails `failRollback` times. */
function providers(state: { failRollback: number }): Partial<ProviderRegistry> {
  let weight = 0;
  return {
    routers: {
      builtin: () => ({
        name: 'r',
        setWeight: async (_t, w) => {
          weight = w;
        },
        getWeight: async () => weight,
      }),
    },
    metrics: {
      builtin: () => ({
        name: 'm',
        read: async () => ({ ok: false, reason: 'none', retryable: true }),
      }),
    },
    deployers: {
      command: () => ({
        name: 'd',
        deploy: async () => ({ ok: true, message: 'deployed' }),
        rollback: async () => {
          if (state.failRollback > 0) {
            state.failRollback -= 1;
            return { ok: false, message: 'ssh: connection refused' };
          }
          return { ok: true, message: 'restored' };
        },
      }),
    },
    checks: {
      http: (name: string) => ({
        name,
        run: async () => ({ name, ok: false, durationMs: 1, message: 'HTTP 500' }),
      }),
    },
  };
}

/** Verifies a Standard Webhooks signature independently of the adapter. */
function signed(headers: Record<string, unknown>, body: string): boolean {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`)
    .digest('base64');
  return String(headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

async function scenario(name: string, failRollback: number) {
  const r = {
    releases: await startReceiver(),
    oncall: await startReceiver(),
    leaders: await startReceiver(),
  };
  receivers.push(r.releases, r.oncall, r.leaders);
  const parsed = parsePolicy(
    policyText({
      releases: `${r.releases.url}/h`,
      oncall: `${r.oncall.url}/h`,
      leaders: `${r.leaders.url}/h`,
    }),
    'rollgate.yaml',
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const app = await createApp({
    policy: parsed.policy,
    store: join(dir, `${name}.db`),
    cwd: dir,
    env: { HOOK_SECRET: SECRET },
    speed: SPEED,
    providers: providers({ failRollback }),
    engine: {
      retry: { attempts: 2, initialDelayMs: 1000, maxDelayMs: 1000, factor: 1 },
      scanIntervalMs: 60_000,
    },
    outbox: { pollIntervalMs: 30_000 },
  });
  const release: Release = {
    id: `rel-${name}`,
    service: 'shop',
    version: 'v2',
    previousVersion: 'v1',
    type: 'minor',
    risk: 'low',
    createdAt: new Date(app.clock.now()).toISOString(),
    createdBy: '@ci',
  };
  const plan = resolvePlan(parsed.policy, { releaseType: 'minor', service: 'shop' });
  const started = await app.engine.start({ release, plan, actor: '@ci' });
  const stop = new AbortController();
  const controller = runController(app, { signal: stop.signal, pollMs: 20 });
  return { app, r, id: started.id, stop, controller };
}

const types = (r: NotifyReceiver) => r.requests.map((q) => JSON.parse(q.body).type as string);

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe('incident escalation delivered to real receivers (signed webhooks)', () => {
  it('an unresolved incident pages on-call at 5 min and leadership at 15 min', async () => {
    const s = await scenario('failed', 100);
    try {
      const store = s.app.store;
      if (!isIncidentStore(store)) throw new Error('expected an incident store');
      const delivered = async () =>
        (await store.listOutbox({ rolloutId: s.id, statuses: ['delivered'] })).filter(
          (m) => m.eventType === 'incident.escalated',
        ).length === 2;
      for (let i = 0; i < 400 && !(await delivered()); i += 1) {
        await new Promise((ok) => setTimeout(ok, 50));
      }
      expect((await store.getRollout(s.id))?.state).toBe('failed');
      const incident = await store.getIncident(`INC-${s.id}`);
      expect(incident?.status).toBe('open');
      const opened = Date.parse(String(incident?.data.rollbackStartedAt));
      expect(types(s.r.releases)).toContain('incident.opened');
      const page = s.r.oncall.requests.find(
        (q) => JSON.parse(q.body).type === 'incident.escalated',
      );
      const lead = s.r.leaders.requests.find(
        (q) => JSON.parse(q.body).type === 'incident.escalated',
      );
      expect(page && lead).toBeTruthy();
      for (const q of [page, lead]) {
        if (!q) continue;
        expect(signed(q.headers, q.body)).toBe(true);
        expect(JSON.parse(q.body).data).toMatchObject({ incidentId: `INC-${s.id}` });
      }
      // not before its level's delay (on the policy clock)
      const rows = await store.listOutbox({ rolloutId: s.id, statuses: ['delivered'] });
      const at = (route: string) =>
        Date.parse(
          rows.find((m) => m.route === route && m.eventType === 'incident.escalated')
            ?.deliveredAt ?? '',
        );
      expect(at('oncall') - opened).toBeGreaterThanOrEqual(5 * 60_000);
      expect(at('leaders') - opened).toBeGreaterThanOrEqual(15 * 60_000);
    } finally {
      s.stop.abort();
      await s.controller;
      await s.app.close();
    }
  }, 60_000);

  it('a rollback that restores the old version cancels the escalation', async () => {
    const s = await scenario('restored', 0);
    try {
      const store = s.app.store;
      if (!isIncidentStore(store)) throw new Error('expected an incident store');
      await waitFor(() => types(s.r.releases).includes('incident.resolved'), 20_000);
      // wait past the 15-minute level on the policy clock
      const until = s.app.clock.now() + 16 * 60_000;
      await waitFor(() => s.app.clock.now() > until, 20_000);
      let cancelled: string[] = [];
      for (let i = 0; i < 200 && cancelled.length < 2; i += 1) {
        await new Promise((ok) => setTimeout(ok, 50));
        cancelled = (await store.listOutbox({ rolloutId: s.id, statuses: ['cancelled'] })).map(
          (m) => m.route,
        );
      }
      expect(cancelled.sort()).toEqual(['leaders', 'oncall']);
      // on-call and leadership are named only by delayed levels: they heard nothing at all
      expect(s.r.oncall.requests).toEqual([]);
      expect(s.r.leaders.requests).toEqual([]);
      expect(types(s.r.releases)).toEqual(
        expect.arrayContaining(['rollout.started', 'rollout.rolled_back', 'incident.opened']),
      );
      expect((await store.getIncident(`INC-${s.id}`))?.status).toBe('resolved');
    } finally {
      s.stop.abort();
      await s.controller;
      await s.app.close();
    }
  }, 60_000);
});
