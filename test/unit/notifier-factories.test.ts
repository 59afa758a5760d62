import { describe, expect, it } from 'vitest';
import { GitHubIssueNotifier } from '../../src/adapters/notifiers/github/github-issue-notifier.js';
import type { WebhookNotifier } from '../../src/adapters/notifiers/webhook/webhook-notifier.js';
import { buildNotifiers, NOTIFIER_FACTORIES } from '../../src/app/notifier-factories.js';

/** A secret reference, `${env:NAME}`. */
const ref = (name: string) => `$${'{'}env:${name}}`;
const OLD = `whsec_${Buffer.from('old-secret-old-secret-old-secret').toString('base64')}`;
const NEW = `whsec_${Buffer.from('new-secret-new-secret-new-secret').toString('base64')}`;

describe('NOTIFIER_FACTORIES', () => {
  it('registers one factory per channel type of the policy', () => {
    expect(Object.keys(NOTIFIER_FACTORIES).sort()).toEqual([
      'github',
      'pagerduty',
      'slack',
      'webhook',
    ]);
  });

  it('builds every channel by name, resolving each secret reference and listing it for redaction', () => {
    const secrets: string[] = [];
    const built = buildNotifiers(
      {
        hooks: { type: 'webhook', url: 'https://hooks.example.com/x', secret: ref('HOOK') },
        team: { type: 'slack', webhook: ref('SLACK') },
        oncall: { type: 'pagerduty', routingKey: ref('PD') },
        incidents: { type: 'github', repository: 'acme/shop', token: ref('GH') },
      },
      {
        env: {
          HOOK: `${NEW} ${OLD}`,
          SLACK: 'https://hooks.slack.com/services/T/B/tok',
          PD: 'pdkey123',
          GH: 'ghp_x123',
        },
        cwd: '/tmp',
        clock: { now: () => 0 },
        secrets,
      },
    );
    expect(Object.keys(built)).toEqual(['hooks', 'team', 'oncall', 'incidents']);
    expect(built.hooks?.name).toBe('hooks');
    expect(built.incidents).toBeInstanceOf(GitHubIssueNotifier);
    expect(secrets).toEqual([
      `${NEW} ${OLD}`,
      'https://hooks.slack.com/services/T/B/tok',
      'pdkey123',
      'ghp_x123',
    ]);
    // Rotation: two secrets in one reference sign twice.
    const hooks = built.hooks as WebhookNotifier;
    expect(hooks.sign('id', 1, '{}').split(' ')).toHaveLength(2);
  });

  it('a missing variable or a malformed signing secret fails without printing the value', () => {
    const deps = {
      env: { HOOK: 'whsec_not base64 at all!' },
      cwd: '/tmp',
      clock: { now: () => 0 },
    };
    expect(() =>
      buildNotifiers({ x: { type: 'pagerduty', routingKey: ref('PD_MISSING') } }, deps),
    ).toThrow(/PD_MISSING is not set/);
    let message = '';
    try {
      buildNotifiers(
        { x: { type: 'webhook', url: 'https://h.example.com', secret: ref('HOOK') } },
        deps,
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/whsec_<base64>/);
    expect(message).not.toContain('not base64 at all');
  });
});
