import { afterEach, describe, expect, it } from 'vitest';
import { SlackNotifier } from '../../src/adapters/notifiers/slack/slack-notifier.js';
import { type NotifyReceiver, startReceiver } from '../helpers/notify-receiver.js';
import { message } from '../helpers/outbox-message.js';

const TOKEN_PATH = '/services/T000/B000/XXXXsecretXXXX';

let receiver: NotifyReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('SlackNotifier (incoming webhook)', () => {
  it('posts a header and a section with service, version, state, reason and link, plus a text fallback', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    const n = new SlackNotifier({
      webhookUrl: `${receiver.url}${TOKEN_PATH}`,
      dashboardUrl: 'https://rollgate.example.com/',
    });
    expect(await n.deliver(message())).toEqual({ ok: true });
    const req = receiver.requests[0];
    if (!req) throw new Error('no request');
    expect(req.path).toBe(TOKEN_PATH);
    const body = JSON.parse(req.body);
    expect(body.text).toContain('Rolled back: checkout 2.4.1');
    expect(body.text).toContain('https://rollgate.example.com/rollouts/r1');
    expect(body.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    const fields = body.blocks[1].fields.map((f: { text: string }) => f.text).join('\n');
    for (const want of [
      '*Service*\ncheckout (production)',
      '*Version*\n2.4.1',
      '*State*\nrolled_back',
      '*Reason*\np99 latency above the baseline',
      '<https://rollgate.example.com/rollouts/r1|rollout r1>',
    ])
      expect(fields).toContain(want);
  });

  it('429 with Retry-After is retryable and names the wait; the webhook URL never appears in an error', async () => {
    receiver = await startReceiver((_r, i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after': '30' }, body: 'rate_limited' }
        : { status: 404, body: `no_service ${TOKEN_PATH}` },
    );
    const url = `${receiver.url}${TOKEN_PATH}`;
    const n = new SlackNotifier({ webhookUrl: url });
    const limited = await n.deliver(message());
    expect(limited).toMatchObject({ ok: false, retryable: true });
    if (limited.ok) return;
    expect(limited.error).toContain('Retry-After: 30');
    const refused = await n.deliver(message());
    expect(refused).toMatchObject({ ok: false, retryable: false });
    if (refused.ok) return;
    expect(refused.error).not.toContain('XXXXsecretXXXX');
  });

  it('a network failure is retryable and does not leak the URL', async () => {
    receiver = await startReceiver();
    const url = `${receiver.url}${TOKEN_PATH}`;
    await receiver.close();
    receiver = undefined;
    const outcome = await new SlackNotifier({ webhookUrl: url }).deliver(message());
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(outcome)).not.toContain('XXXXsecretXXXX');
  });
});
