import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNotifiers } from '../../src/app/notifier-factories.js';
import { openStore } from '../../src/app/store-registry.js';
import type { NewOutboxMessage } from '../../src/core/rollout/rollout-types.js';
import { OutboxDispatcher } from '../../src/engine/outbox-dispatcher.js';
import type { Store } from '../../src/ports/store.js';
import { event, release, snapshot } from '../contracts/store-fixtures.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { fakeGitHub } from '../helpers/fake-github.js';
import { type NotifyReceiver, type Reply, startReceiver } from '../helpers/notify-receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'rollgate-notify-'));
const receivers: NotifyReceiver[] = [];
let store: Store | undefined;
afterAll(async () => {
  for (const r of receivers) await r.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A receiver that fails transiently: per request, in turn, 503, a "lost answer" (the
 * request is recorded as received, the answer is a 502), then 200.
 */
async function flaky(ok: Reply): Promise<NotifyReceiver> {
  const script = [503, 502];
  const r = await startReceiver((_req, i) => {
    const status = script[i % 3];
    return status === undefined ? ok : { status, body: 'try later' };
  });
  receivers.push(r);
  return r;
}

/** A secret reference, `${env:NAME}`. */
const ref = (name: string) => `$${'{'}env:${name}}`;
const SECRET = `whsec_${Buffer.from('dispatch-test-secret-32-bytes!!!').toString('base64')}`;

describe('OutboxDispatcher with the real notifiers against receivers that fail transiently', () => {
  it('delivers every message, and de-duplicating by idempotency key leaves no duplicate', async () => {
    const webhook = await flaky({ status: 200 });
    const slack = await flaky({ status: 200, body: 'ok' });
    const pagerduty = await flaky({ status: 202, body: '{"status":"success"}' });
    const gh = fakeGitHub('ghp_dispatch_token');
    let ghCalls = 0;
    // Every second write is answered 502 after it was done (a lost answer).
    const github = await startReceiver((req) => {
      const reply = gh.handler(req);
      if (req.method === 'POST' && ghCalls++ % 2 === 0) return { status: 502, body: 'bad gateway' };
      return reply;
    });
    receivers.push(github);
    const notifiers = buildNotifiers(
      {
        hooks: { type: 'webhook', url: `${webhook.url}/in`, secret: ref('HOOK_SECRET') },
        team: { type: 'slack', webhook: ref('SLACK_URL') },
        oncall: { type: 'pagerduty', routingKey: ref('PD_KEY'), url: pagerduty.url },
        incidents: {
          type: 'github',
          repository: 'acme/shop',
          token: ref('GH'),
          apiUrl: github.url,
        },
      },
      {
        env: {
          HOOK_SECRET: SECRET,
          SLACK_URL: `${slack.url}/services/T1/B1/secret-token`,
          PD_KEY: 'pd-routing-key-0123456789',
          GH: 'ghp_dispatch_token',
        },
        cwd: dir,
        clock: { now: () => Date.now() },
        timeoutMs: 2_000,
      },
    );
    store = await openStore(join(dir, 'rollgate.db'));
    const outbox: NewOutboxMessage[] = [];
    const types = ['rollout.started', 'rollout.promoted', 'rollout.rolled_back'];
    types.forEach((eventType, seq) => {
      for (const route of ['hooks', 'team', 'oncall', 'incidents'])
        outbox.push({
          idempotencyKey: `r1:${seq + 1}:${eventType}:${route}`,
          rolloutId: 'r1',
          route,
          eventType,
          payload: { service: 'payments', version: '1.2.0', environment: 'production', state: 'x' },
        });
    });
    await store.createRelease(release('rel-r1'));
    await store.createRollout(snapshot('r1', { lastSeq: 1 }), [event('rollout.created')], outbox);

    const clock = new ManualClock(Date.now() + 60_000);
    const dispatcher = new OutboxDispatcher(
      { store, clock, notifiers },
      { retry: { attempts: 8, initialDelayMs: 1_000, maxDelayMs: 10_000, factor: 2 } },
    );
    const totals = { delivered: 0, retried: 0, dead: 0 };
    for (let pass = 0; pass < 10; pass += 1) {
      const r = await dispatcher.deliverDue();
      totals.delivered += r.delivered;
      totals.retried += r.retried;
      totals.dead += r.dead;
      clock.advance(20_000);
    }
    expect(totals.dead).toBe(0);
    expect(totals.delivered).toBe(12);
    expect(await store.dueOutbox(new Date(clock.now() + 86_400_000).toISOString(), 100)).toEqual(
      [],
    );

    const webhookIds = webhook.requests.map((r) => String(r.headers['webhook-id']));
    expect(webhookIds.length).toBeGreaterThan(3); // duplicates did arrive …
    expect(new Set(webhookIds)).toEqual(
      new Set(outbox.filter((m) => m.route === 'hooks').map((m) => m.idempotencyKey)),
    );
    const slackKeys = slack.requests.map(
      (r) => JSON.parse(r.body).blocks[2].elements[0].text as string,
    );
    expect(new Set(slackKeys).size).toBe(3); // … and each key dedupes them to exactly one
    const pdKeys = pagerduty.requests.map((r) => JSON.parse(r.body).dedup_key as string);
    expect(new Set(pdKeys)).toEqual(new Set(['rollgate/INC-r1']));
    // GitHub: the rollback opened exactly one issue, despite the lost answer.
    expect(gh.issues).toHaveLength(1);
    expect(ghCalls).toBe(1); // the retry found the issue and did not write again
    expect(github.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2);
    expect(gh.issues[0]?.body).toContain(
      'rollgate:idempotency-key=r1:3:rollout.rolled_back:incidents',
    );
    // Each key reached its receiver with a 2xx at least once.
    expect(webhook.requests.filter((_r, i) => i % 3 === 2)).toHaveLength(3);
  });
});
