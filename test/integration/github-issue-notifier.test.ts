import { afterEach, describe, expect, it } from 'vitest';
import { GitHubIssueNotifier } from '../../src/adapters/notifiers/github/github-issue-notifier.js';
import { fakeGitHub } from '../helpers/fake-github.js';
import { type NotifyReceiver, startReceiver } from '../helpers/notify-receiver.js';
import { message } from '../helpers/outbox-message.js';

const TOKEN = 'ghp_testtoken0123456789abcdefABCDEF';

let receiver: NotifyReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('GitHubIssueNotifier', () => {
  it('opens one issue per incident with labels, timeline link and post-mortem due date; retries never duplicate', async () => {
    const gh = fakeGitHub(TOKEN);
    receiver = await startReceiver(gh.handler);
    const n = new GitHubIssueNotifier({
      repository: 'acme/shop',
      token: TOKEN,
      labels: ['incident', 'rollback'],
      apiUrl: receiver.url,
      dashboardUrl: 'https://rollgate.example.com',
    });
    // Two unrelated issues already there, so the look-up has to page.
    gh.issues.push({ number: 1, title: 'a', body: 'x', labels: [] });
    gh.issues.push({ number: 2, title: 'b', body: 'y', labels: [] });

    gh.state.loseNextWrites = 1;
    const first = await n.deliver(message());
    expect(first).toMatchObject({ ok: false, retryable: true });
    expect(await n.deliver(message())).toEqual({ ok: true });
    expect(await n.deliver(message())).toEqual({ ok: true });
    expect(gh.issues).toHaveLength(3);
    const issue = gh.issues[2];
    if (!issue) throw new Error('no issue');
    expect(issue.title).toBe('Rolled back: checkout 2.4.1 in production');
    expect(issue.labels).toEqual(['incident', 'rollback']);
    expect(issue.body).toContain('<!-- rollgate:idempotency-key=r1:7:rollout.rolled_back:ops -->');
    expect(issue.body).toContain('**Timeline**: https://rollgate.example.com/rollouts/r1');
    expect(issue.body).toContain('**Post-mortem due**: 2026-11-23T14:00:00.000Z');
    expect(receiver.requests[0]?.headers['x-github-api-version']).toBe('2022-11-28');

    // Newer issues push the incident to the second page: still found, still no duplicate.
    gh.issues.push({ number: 4, title: 'c', body: 'z', labels: [] });
    gh.issues.push({ number: 5, title: 'd', body: 'w', labels: [] });
    expect(await n.deliver(message())).toEqual({ ok: true });
    expect(gh.issues).toHaveLength(5);

    // A later event of the same rollout becomes one comment, even when retried.
    const failed = message({
      eventType: 'rollout.failed',
      idempotencyKey: 'r1:9:rollout.failed:ops',
    });
    gh.state.loseNextWrites = 1;
    expect(await n.deliver(failed)).toMatchObject({ ok: false, retryable: true });
    expect(await n.deliver(failed)).toEqual({ ok: true });
    expect(gh.issues).toHaveLength(5);
    expect(gh.comments[3]).toHaveLength(1);
    expect(gh.comments[3]?.[0]?.body).toContain('Rollback FAILED');

    // Not an incident: nothing is written.
    const before = receiver.requests.length;
    expect(await n.deliver(message({ eventType: 'rollout.started' }))).toEqual({ ok: true });
    expect(receiver.requests).toHaveLength(before);
  });

  it('bad credentials are final, a rate limit retries, and the token never shows', async () => {
    const gh = fakeGitHub(TOKEN);
    receiver = await startReceiver(gh.handler);
    const wrong = new GitHubIssueNotifier({
      repository: 'acme/shop',
      token: 'ghp_wrong_token_zzzzzz',
      apiUrl: receiver.url,
    });
    const refused = await wrong.deliver(message());
    expect(refused).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(refused)).not.toContain('ghp_wrong_token_zzzzzz');

    receiver.respond = () => ({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0' },
      body: '{}',
    });
    const n = new GitHubIssueNotifier({
      repository: 'acme/shop',
      token: TOKEN,
      apiUrl: receiver.url,
    });
    expect(await n.deliver(message())).toMatchObject({ ok: false, retryable: true });
  });
});
