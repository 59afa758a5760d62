import { describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../../src/core/incident/incident.js';
import {
  type EscalationConfig,
  escalationSchedule,
  incidentOpenedMessages,
} from '../../../src/core/notify/escalation.js';
import {
  conditionHolds,
  defaultChannels,
  eventMatches,
  routeNotifications,
} from '../../../src/core/notify/notification-routing.js';
import { actionItemReminders, postMortemReminders } from '../../../src/core/notify/reminders.js';
import { parsePolicy } from '../../../src/core/policy/compile-policy.js';
import type { NewOutboxMessage } from '../../../src/core/rollout/rollout-types.js';

const AT = '2026-03-02T09:00:00.000Z';
const plus = (s: number) => new Date(Date.parse(AT) + s * 1000).toISOString();

const message = (eventType: string, route = 'notify'): NewOutboxMessage => ({
  idempotencyKey: `ro-1:7:${eventType}:${route}`,
  rolloutId: 'ro-1',
  route,
  eventType,
  payload: { rolloutId: 'ro-1', seq: 7, at: AT, state: 'paused', step: 3, service: 'payments' },
});

const incident: IncidentRecord = {
  id: 'INC-ro-1',
  rolloutId: 'ro-1',
  releaseId: 'rel-1',
  service: 'payments',
  environment: 'production',
  version: 'v2.1.0',
  previousVersion: 'v2.0.3',
  status: 'open',
  reason: 'error rate 3 % > 1 % above baseline',
  trigger: 'judge',
  startedAt: plus(-600),
  detectedAt: plus(-5),
  postMortemId: 'PM-ro-1',
  postMortemDueAt: plus(48 * 3600),
  createdAt: AT,
  data: { rollbackStartedAt: AT },
};

function seedDefaults(): EscalationConfig {
  const policy = parsePolicy(
    `version: 1
services:
  web:
    router: { type: builtin, listen: 127.0.0.1:8080, stable: http://127.0.0.1:9001, canary: http://127.0.0.1:9002 }
    deployer: { type: command, deploy: "./deploy.sh {version}", rollback: ./rollback.sh }
    metrics: { type: builtin }
notifications:
  channels:
    releases: { type: webhook, url: "http://127.0.0.1:1/h", secret: "\${env:S}" }
    pd: { type: pagerduty, routingKey: "\${env:K}" }
    cto: { type: webhook, url: "http://127.0.0.1:1/c", secret: "\${env:S}" }
  escalation:
    releases: { channels: [releases] }
    on-call: { channels: [pd] }
    leadership: { channels: [cto] }
`,
    'rollgate.yaml',
  );
  if (!policy.ok) throw new Error(JSON.stringify(policy.issues));
  const n = policy.policy.notifications;
  return { channels: Object.keys(n.channels), routes: n.routes, escalation: n.escalation };
}

describe('route mapping (policy routes → outbox messages)', () => {
  it('matches exact types, prefixes and *', () => {
    expect(eventMatches('*', 'incident.opened')).toBe(true);
    expect(eventMatches('rollout.*', 'rollout.paused')).toBe(true);
    expect(eventMatches('rollout.*', 'incident.opened')).toBe(false);
    expect(eventMatches('rollout.paused', 'rollout.paused')).toBe(true);
    expect(eventMatches('rollout.paused', 'rollout.promoted')).toBe(false);
  });

  it('one message per routed channel; the notify and page copies of one event collapse', () => {
    const out = routeNotifications([message('rollout.failed'), message('rollout.failed', 'page')], {
      channels: ['slack', 'pd', 'audit'],
      routes: [
        { events: ['rollout.*'], channels: ['slack'] },
        { events: ['rollout.failed', 'rollout.rolled_back'], channels: ['pd'] },
      ],
    });
    expect(out.map((m) => [m.route, m.idempotencyKey, m.notBefore])).toEqual([
      ['slack', 'ro-1:7:rollout.failed:slack', undefined],
      ['pd', 'ro-1:7:rollout.failed:pd', undefined],
    ]);
  });

  it('without routes every channel hears every event at once', () => {
    const out = routeNotifications([message('rollout.started')], {
      channels: ['a', 'b'],
      routes: [],
    });
    expect(out.map((m) => m.route)).toEqual(['a', 'b']);
  });

  it('a route with `after` is a delayed copy that keeps the condition it was sent under', () => {
    const out = routeNotifications([message('rollout.paused')], {
      channels: ['slack', 'pd'],
      routes: [
        { events: ['rollout.paused'], channels: ['slack'] },
        { events: ['rollout.paused'], channels: ['pd'], after: 600 },
      ],
    });
    expect(out).toHaveLength(2);
    const delayed = out[1] as NewOutboxMessage;
    expect(delayed.idempotencyKey).toBe('ro-1:7:rollout.paused:pd:+600s');
    expect(delayed.notBefore).toBe(plus(600));
    expect(delayed.payload.condition).toEqual({
      kind: 'rollout_state',
      rolloutId: 'ro-1',
      state: 'paused',
      step: 3,
    });
    const c = delayed.payload.condition as Parameters<typeof conditionHolds>[0];
    expect(conditionHolds(c, { rollout: { state: 'paused', stepIndex: 3 } })).toEqual({
      holds: true,
    });
    expect(conditionHolds(c, { rollout: { state: 'running', stepIndex: 3 } }).holds).toBe(false);
  });
});

describe('escalation (seed 003 levels)', () => {
  it('the built-in levels are 0, 5 and 15 minutes; the policy only names the channels', () => {
    const config = seedDefaults();
    expect(config.escalation).toEqual({
      releases: { after: 0, channels: ['releases'] },
      'on-call': { after: 300, channels: ['pd'] },
      leadership: { after: 900, channels: ['cto'] },
    });
    expect(escalationSchedule(config)).toEqual([
      { channel: 'releases', after: 0, level: 'releases' },
      { channel: 'pd', after: 300, level: 'on-call' },
      { channel: 'cto', after: 900, level: 'leadership' },
    ]);
  });

  it('L1 at once; L2 and L3 delayed and cancelled unless the incident is still open', () => {
    const out = incidentOpenedMessages(incident, seedDefaults());
    expect(out.map((m) => [m.route, m.eventType, m.notBefore ?? AT])).toEqual([
      ['releases', 'incident.opened', AT],
      ['pd', 'incident.escalated', plus(300)],
      ['cto', 'incident.escalated', plus(900)],
    ]);
    expect(out.map((m) => m.idempotencyKey)).toEqual([
      'INC-ro-1:opened:releases',
      'INC-ro-1:opened:pd:+300s',
      'INC-ro-1:opened:cto:+900s',
    ]);
    const c = out[1]?.payload.condition as Parameters<typeof conditionHolds>[0];
    expect(c).toEqual({ kind: 'incident_open', incidentId: 'INC-ro-1' });
    expect(conditionHolds(c, { incident: { status: 'open' } }).holds).toBe(true);
    expect(conditionHolds(c, { incident: { status: 'mitigated' } }).holds).toBe(false);
    expect(conditionHolds(c, { incident: { status: 'resolved' } }).holds).toBe(false);
  });

  it('without routes, channels only a delayed level names hear nothing but their escalation', () => {
    const { channels, escalation } = {
      ...seedDefaults(),
      channels: ['releases', 'pd', 'cto', 'audit'],
    };
    expect(defaultChannels(channels, escalation)).toEqual(['releases', 'audit']);
    const out = routeNotifications([message('rollout.started')], {
      channels,
      routes: [],
      defaultChannels: defaultChannels(channels, escalation),
    });
    expect(out.map((m) => m.route)).toEqual(['releases', 'audit']);
  });

  it('channels no level names hear incidents at once when there are no routes', () => {
    const config = { ...seedDefaults(), channels: ['releases', 'pd', 'cto', 'audit'] };
    expect(escalationSchedule(config).map((s) => [s.channel, s.after])).toEqual([
      ['audit', 0],
      ['releases', 0],
      ['pd', 300],
      ['cto', 900],
    ]);
  });
});

describe('reminders', () => {
  const pm = {
    id: 'PM-ro-1',
    rolloutId: 'ro-1',
    service: 'payments',
    environment: 'production',
    failedVersion: 'v2.1.0',
    createdAt: AT,
    dueAt: plus(48 * 3600),
  };
  const config = { channels: ['slack'], routes: [] };

  it('post-mortem due 24 h before its deadline, overdue at it; none once completed', () => {
    const out = postMortemReminders(pm, config);
    expect(out.map((m) => [m.eventType, m.notBefore])).toEqual([
      ['postmortem.due', plus(24 * 3600)],
      ['postmortem.overdue', plus(48 * 3600)],
    ]);
    expect(out[1]?.payload.condition).toEqual({ kind: 'postmortem_open', postMortemId: 'PM-ro-1' });
    expect(postMortemReminders({ ...pm, completedAt: plus(3600) }, config)).toEqual([]);
  });

  it('an action item is overdue the day after its due date, unless done or moved', () => {
    const item = {
      postMortemId: 'PM-ro-1',
      id: '2',
      service: 'payments',
      action: 'Add a smoke test',
      owner: '@sre',
      due: '2026-03-05',
      status: 'planned',
    };
    const [m] = actionItemReminders(item, 'ro-1', config);
    expect(m?.notBefore).toBe('2026-03-06T00:00:00.000Z');
    expect(m?.eventType).toBe('action_item.overdue');
    const c = m?.payload.condition as Parameters<typeof conditionHolds>[0];
    expect(conditionHolds(c, { actionItem: { status: 'planned', due: '2026-03-05' } }).holds).toBe(
      true,
    );
    expect(conditionHolds(c, { actionItem: { status: 'done', due: '2026-03-05' } }).holds).toBe(
      false,
    );
    expect(conditionHolds(c, { actionItem: { status: 'planned', due: '2026-03-09' } }).holds).toBe(
      false,
    );
    expect(actionItemReminders({ ...item, status: 'done' }, 'ro-1', config)).toEqual([]);
  });
});
