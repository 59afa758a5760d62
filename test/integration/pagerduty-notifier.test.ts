import { afterEach, describe, expect, it } from 'vitest';
import { PagerDutyNotifier } from '../../src/adapters/notifiers/pagerduty/pagerduty-notifier.js';
import { type NotifyReceiver, startReceiver } from '../helpers/notify-receiver.js';
import { message } from '../helpers/outbox-message.js';

const KEY = 'R0UT1NGKEY0123456789abcdefabcdef';

let receiver: NotifyReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('PagerDutyNotifier (Events API v2)', () => {
  it('triggers on a rollback and a failed rollback, resolves on completion, one dedup_key per incident (INC-<rollout>)', async () => {
    receiver = await startReceiver(() => ({
      status: 202,
      body: '{"status":"success","message":"Event processed"}',
    }));
    const n = new PagerDutyNotifier({
      routingKey: KEY,
      url: `${receiver.url}/v2/enqueue`,
      dashboardUrl: 'https://rollgate.example.com',
    });
    for (const eventType of ['rollout.rolled_back', 'rollout.failed', 'rollout.completed'])
      expect(await n.deliver(message({ eventType }))).toEqual({ ok: true });
    // Not an incident event: nothing is sent.
    expect(await n.deliver(message({ eventType: 'rollout.promoted' }))).toEqual({ ok: true });
    expect(receiver.requests).toHaveLength(3);
    const [rolledBack, failed, completed] = receiver.requests.map((r) => JSON.parse(r.body));
    expect(receiver.requests[0]?.path).toBe('/v2/enqueue');
    expect(rolledBack).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'rollgate/INC-r1',
      payload: {
        summary: 'checkout 2.4.1 rolled back in production: p99 latency above the baseline',
        source: 'rollgate/checkout/production',
        severity: 'error',
        timestamp: '2026-11-21T14:00:00.000Z',
      },
      links: [{ href: 'https://rollgate.example.com/rollouts/r1' }],
    });
    expect(failed).toMatchObject({ event_action: 'trigger', payload: { severity: 'critical' } });
    expect(completed).toEqual({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'rollgate/INC-r1',
    });
    const other = message({ rolloutId: 'r2', eventType: 'rollout.rolled_back' });
    await n.deliver(other);
    expect(JSON.parse(receiver.requests[3]?.body ?? '{}').dedup_key).toBe('rollgate/INC-r2');
  });

  it('maps 429 and 5xx to retry, 400 to final, and never puts the routing key in an error', async () => {
    const replies = [
      { status: 429, body: '' },
      { status: 502, body: '' },
      { status: 400, body: `{"status":"invalid event","errors":["routing_key ${KEY} invalid"]}` },
    ];
    receiver = await startReceiver((_r, i) => replies[i] ?? { status: 202 });
    const n = new PagerDutyNotifier({ routingKey: KEY, url: receiver.url, severity: 'warning' });
    const outcomes = [];
    for (const _ of replies) outcomes.push(await n.deliver(message()));
    expect(outcomes.map((o) => !o.ok && o.retryable)).toEqual([true, true, false]);
    expect(JSON.stringify(outcomes)).not.toContain(KEY);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}').payload.severity).toBe('warning');
  });
});
