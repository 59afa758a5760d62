import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookNotifier } from '../../src/adapters/notifiers/webhook/webhook-notifier.js';
import { type NotifyReceiver, startReceiver } from '../helpers/notify-receiver.js';
import { message } from '../helpers/outbox-message.js';

/** Standard Webhooks verification, written here from the spec (not the adapter's code). */
function verify(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSeconds: number,
): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string') return false;
  if (Math.abs(nowSeconds - Number(ts)) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return sigs.split(' ').some((s) => {
    const [version, b64] = s.split(',');
    if (version !== 'v1' || b64 === undefined) return false;
    const got = Buffer.from(b64, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

const NOW = Date.UTC(2026, 10, 21, 14, 0, 0);
const clock = { now: () => NOW };
const SECRET = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
const NEW_SECRET = `whsec_${Buffer.from('the-rotated-secret-of-32-bytes!!').toString('base64')}`;

let receiver: NotifyReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('WebhookNotifier (Standard Webhooks)', () => {
  it('signs id.timestamp.body so an independent verifier accepts it, and a wrong secret fails', async () => {
    receiver = await startReceiver();
    const n = new WebhookNotifier({ url: `${receiver.url}/hook`, secrets: [SECRET], clock });
    expect(await n.deliver(message())).toEqual({ ok: true });
    const req = receiver.requests[0];
    expect(req).toBeDefined();
    if (!req) return;
    expect(req.headers['webhook-id']).toBe('r1:7:rollout.rolled_back:ops');
    expect(req.headers['webhook-timestamp']).toBe(String(NOW / 1000));
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toMatchObject({
      type: 'rollout.rolled_back',
      data: { service: 'checkout', rolloutId: 'r1' },
    });
    expect(verify(SECRET, req.headers, req.body, NOW / 1000)).toBe(true);
    expect(verify(NEW_SECRET, req.headers, req.body, NOW / 1000)).toBe(false);
    expect(verify(SECRET, req.headers, `${req.body} `, NOW / 1000)).toBe(false);
    expect(verify(SECRET, req.headers, req.body, NOW / 1000 + 3600)).toBe(false);
  });

  it('during a rotation sends one signature per secret, each verifiable on its own', async () => {
    receiver = await startReceiver();
    const n = new WebhookNotifier({ url: receiver.url, secrets: [NEW_SECRET, SECRET], clock });
    await n.deliver(message());
    const req = receiver.requests[0];
    if (!req) throw new Error('no request');
    expect(String(req.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(SECRET, req.headers, req.body, NOW / 1000)).toBe(true);
    expect(verify(NEW_SECRET, req.headers, req.body, NOW / 1000)).toBe(true);
  });

  it('maps answers to outcomes: 5xx/429/408 retry, 410 disables, other 4xx final', async () => {
    const statuses = [500, 503, 429, 408, 410, 400, 401, 204];
    receiver = await startReceiver((_r, i) => ({ status: statuses[i] ?? 200, body: 'nope' }));
    const n = new WebhookNotifier({ url: receiver.url, secrets: [SECRET], clock });
    const outcomes = [];
    for (const _ of statuses) outcomes.push(await n.deliver(message()));
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.retryable ? 'retry' : 'final'))).toEqual([
      'retry',
      'retry',
      'retry',
      'retry',
      'final',
      'final',
      'final',
      'ok',
    ]);
    expect(outcomes[4]).toMatchObject({ ok: false, disableEndpoint: true });
    expect(outcomes[5]).not.toHaveProperty('disableEndpoint');
  });

  it('a receiver that does not answer in time, or is not there, is retryable', async () => {
    receiver = await startReceiver(() => ({ status: 200, delayMs: 2_000 }));
    const slow = new WebhookNotifier({
      url: receiver.url,
      secrets: [SECRET],
      clock,
      timeoutMs: 200,
    });
    expect(await slow.deliver(message())).toMatchObject({ ok: false, retryable: true });
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const gone = new WebhookNotifier({ url, secrets: [SECRET], clock });
    expect(await gone.deliver(message())).toMatchObject({ ok: false, retryable: true });
  });

  it('refuses a secret that is not whsec_<base64>', () => {
    expect(
      () =>
        new WebhookNotifier({ url: 'http://127.0.0.1:1', secrets: ['whsec_not base64!'], clock }),
    ).toThrow(/whsec_/);
  });
});
