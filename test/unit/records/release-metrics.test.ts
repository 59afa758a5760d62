import { describe, expect, it } from 'vitest';
import type { ResolvedPlan } from '../../../src/core/plan/plan-types.js';
import {
  changeFailBand,
  frequencyBand,
  leadTimeBand,
  periodSince,
  recoveryBand,
  releaseMetrics,
  releaseMetricsByService,
  renderReleaseMetrics,
} from '../../../src/core/records/release-metrics.js';
import { readRolloutHistory } from '../../../src/core/records/rollout-history.js';
import type { ReleaseType, TimelineEvent } from '../../../src/core/rollout/rollout-types.js';
import { JUDGE_POLICY } from '../../fakes/plans.js';
import { expectGolden } from './golden.js';
import { HistoryDriver } from './record-history-fixture.js';

function plan(service: string): ResolvedPlan {
  return {
    service,
    environment: 'production',
    releaseType: 'minor',
    strategy: 'direct',
    steps: [{ kind: 'deploy', name: 'deploy-stable', target: 'stable' }],
    judge: JUDGE_POLICY,
    expectedSeconds: 0,
  };
}

interface Spec {
  id: string;
  service?: string;
  version: string;
  previous: string;
  type: ReleaseType;
  start: string;
  commitAt?: string;
  /** Minutes to deploy (success), or minutes until a rollback and minutes it takes. */
  ok?: number;
  rollback?: [number, number];
}

function deploy(s: Spec): TimelineEvent[] {
  const d = new HistoryDriver(
    s.id,
    {
      id: `rel-${s.id}`,
      service: s.service ?? 'payments',
      version: s.version,
      previousVersion: s.previous,
      type: s.type,
      risk: 'medium',
      createdAt: s.start,
      createdBy: '@ci',
      ...(s.commitAt ? { commitAt: s.commitAt } : {}),
    },
    plan(s.service ?? 'payments'),
    s.start,
  );
  d.input({ type: 'start' }).startStep();
  if (s.rollback) {
    d.tick(s.rollback[0] * 60).input({
      type: 'rollback',
      reason: 'health check failing',
      trigger: 'check',
    });
    d.tick(s.rollback[1] * 60).input({ type: 'rollback_done', message: 'ok' });
  } else d.tick((s.ok ?? 5) * 60).deployed('stable');
  return d.events;
}

/** 14 days, hand-computed figures in the test below. */
const HISTORY: Spec[] = [
  {
    id: 'a0',
    version: 'v1.0.0',
    previous: 'v0.9.0',
    type: 'minor',
    start: '2026-02-20T10:00:00.000Z',
    commitAt: '2026-02-19T10:00:00.000Z',
  },
  {
    id: 'a1',
    version: 'v1.1.0',
    previous: 'v1.0.0',
    type: 'minor',
    start: '2026-03-02T10:00:00.000Z',
    commitAt: '2026-03-01T10:00:00.000Z',
  },
  {
    id: 'a2',
    version: 'v1.2.0',
    previous: 'v1.1.0',
    type: 'minor',
    start: '2026-03-04T10:00:00.000Z',
    commitAt: '2026-03-04T06:00:00.000Z',
    rollback: [10, 2],
  },
  {
    id: 'a3',
    version: 'v1.2.1',
    previous: 'v1.1.0',
    type: 'minor',
    start: '2026-03-06T10:00:00.000Z',
    commitAt: '2026-03-05T10:00:00.000Z',
  },
  {
    id: 'a4',
    version: 'v1.2.2',
    previous: 'v1.2.1',
    type: 'patch',
    start: '2026-03-06T15:00:00.000Z',
    commitAt: '2026-03-06T14:00:00.000Z',
  },
  {
    id: 'a5',
    version: 'v1.3.0',
    previous: 'v1.2.2',
    type: 'minor',
    start: '2026-03-10T10:00:00.000Z',
    commitAt: '2026-03-09T22:00:00.000Z',
  },
  {
    id: 'b1',
    service: 'search',
    version: 'v9.0.0',
    previous: 'v8.0.0',
    type: 'minor',
    start: '2026-03-03T10:00:00.000Z',
    rollback: [1, 1],
  },
];

describe('release metrics (DORA 2024)', () => {
  const histories = HISTORY.map((s) => readRolloutHistory(deploy(s)));
  const m = releaseMetrics({
    histories,
    service: 'payments',
    from: '2026-03-01T00:00:00.000Z',
    to: '2026-03-15T00:00:00.000Z',
  });

  it('matches hand-computed figures on a synthetic history', () => {
    // a1..a5 started in the period (a0 before it, b1 another service)
    expect(m.deployments).toBe(5);
    expect(m.successful).toBe(4);
    // 5 deployments in 14 days = 2.5 a week → between once a day and once a week: high
    expect(m.deploymentFrequency.perWeek).toBeCloseTo(2.5, 10);
    expect(m.deploymentFrequency.band).toBe('high');
    // lead times: a1 24h05, a3 24h05, a4 1h05, a5 12h05 → median (12h05 + 24h05) / 2 = 18h05
    expect(m.changeLeadTime).toEqual({ medianSeconds: 65_100, samples: 4, band: 'elite' });
    // failures: a2 rolled back; a3 remediated by the patch a4 → 2 of 5 = 40 %: low
    expect(m.changeFailRate).toEqual({ rate: 0.4, failed: 2, band: 'low' });
    expect(m.list.filter((d) => d.failed).map((d) => d.rolloutId)).toEqual(['a2', 'a3']);
    // recovery: a2 2 min (detection → restored); a3 5 h (its completion → a4's) → median 2h31
    expect(m.recoveryTime).toEqual({ medianSeconds: 9_060, samples: 2, band: 'high' });
    expect(m.reworkRate).toEqual({ rate: 0.2, rework: 1 });
    expect(m.rollbackRate).toEqual({ rate: 0.2, rolledBack: 1 });
  });

  it('covers every service without a filter', () => {
    const all = releaseMetrics({
      histories,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-15T00:00:00.000Z',
    });
    expect(all.deployments).toBe(6);
    expect(all.rollbackRate.rolledBack).toBe(2);
  });

  it('has no rates and no bands for an empty period', () => {
    const none = releaseMetrics({
      histories,
      from: '2025-01-01T00:00:00.000Z',
      to: '2025-02-01T00:00:00.000Z',
    });
    expect(none.deployments).toBe(0);
    expect(none.changeFailRate.rate).toBeUndefined();
    expect(none.deploymentFrequency.band).toBeUndefined();
  });

  it('renders the metrics table', () => {
    expectGolden('release-metrics.md', renderReleaseMetrics(m));
  });

  it('places figures in the 2024 bands', () => {
    expect([2, 1, 0.5, 1 / 7, 0.1, 1 / 30, 0.01].map(frequencyBand)).toEqual([
      'elite',
      'elite',
      'high',
      'high',
      'medium',
      'medium',
      'low',
    ]);
    expect([3600, 86_399, 86_400, 604_800, 2_592_000].map(leadTimeBand)).toEqual([
      'elite',
      'elite',
      'high',
      'medium',
      'low',
    ]);
    expect([0, 0.07, 0.08, 0.16, 0.29, 0.31, 0.9].map(changeFailBand)).toEqual([
      'elite',
      'elite',
      'medium',
      'high',
      'high',
      'low',
      'low',
    ]);
    expect([59 * 60, 3600, 86_400, 604_800].map(recoveryBand)).toEqual([
      'elite',
      'high',
      'medium',
      'low',
    ]);
  });
});

describe('periods and services', () => {
  it('reads --since lengths and refuses anything else', () => {
    expect(periodSince('30d', '2026-03-31T00:00:00.000Z')).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-31T00:00:00.000Z',
    });
    expect(periodSince('12h', '2026-03-31T00:00:00.000Z').from).toBe('2026-03-30T12:00:00.000Z');
    expect(periodSince('2w', '2026-03-31T00:00:00.000Z').from).toBe('2026-03-17T00:00:00.000Z');
    expect(() => periodSince('a month', '2026-03-31T00:00:00.000Z')).toThrow(
      /--since "a month" is not a period/,
    );
  });

  it('computes every service separately', () => {
    const histories = HISTORY.map((s) => readRolloutHistory(deploy(s)));
    const by = releaseMetricsByService({
      histories,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-15T00:00:00.000Z',
    });
    expect(Object.keys(by)).toEqual(['payments', 'search']);
    expect(by.search?.deployments).toBe(1);
    expect(by.search?.rollbackRate.rate).toBe(1);
    expect(by.payments?.deployments).toBe(5);
  });
});
