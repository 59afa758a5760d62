import type { NewEvent, Release, RolloutSnapshot } from '../../src/core/rollout/rollout-types.js';

/** ISO time `seconds` after 2026-01-01T00:00:00Z. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();
}

export function release(id: string, service = 'payments'): Release {
  return {
    id,
    service,
    version: 'v2.1.0',
    previousVersion: 'v2.0.3',
    type: 'minor',
    risk: 'medium',
    notes: 'Faster checkout; émoji ✓ and "quotes"',
    createdAt: at(0),
    createdBy: '@alice',
  };
}

export function snapshot(id: string, overrides: Partial<RolloutSnapshot> = {}): RolloutSnapshot {
  return {
    id,
    releaseId: `rel-${id}`,
    service: 'payments',
    environment: 'production',
    version: 'v2.1.0',
    previousVersion: 'v2.0.3',
    releaseType: 'minor',
    state: 'pending',
    stepIndex: 0,
    weight: 0,
    plan: {
      service: 'payments',
      environment: 'production',
      releaseType: 'minor',
      strategy: 'canary',
      steps: [
        { kind: 'checks', name: 'preflight', phase: 'preflight', checks: ['health'] },
        { kind: 'deploy', name: 'deploy canary', target: 'canary' },
        {
          kind: 'traffic',
          name: 'canary 5%',
          weight: 5,
          minHoldSeconds: 300,
          maxHoldSeconds: 1800,
          minCanaryRequests: 1000,
          onTimeout: 'pause',
          analysis: true,
        },
      ],
      judge: {
        gates: [
          {
            name: 'error-rate-pause',
            metric: 'error_rate',
            comparison: 'delta',
            threshold: 0.001,
            forSeconds: 0,
            action: 'pause',
          },
        ],
        criticalEndpoints: ['/checkout'],
        alpha: 0.01,
        beta: 0.05,
        maxNoDataSeconds: 120,
        staleAfterSeconds: 60,
      },
      expectedSeconds: 2100,
    },
    steps: [{ state: 'pending' }, { state: 'pending' }, { state: 'pending' }],
    epoch: 0,
    lastSeq: 0,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function event(type: string, seconds = 0, data: Record<string, unknown> = {}): NewEvent {
  return { at: at(seconds), actor: 'rollgate', type, message: `${type} happened`, data };
}

/** The snapshot after one transition: same rollout, epoch + 1, lastSeq + appended. */
export function advance(
  s: RolloutSnapshot,
  appended: number,
  changes: Partial<RolloutSnapshot> = {},
): RolloutSnapshot {
  return {
    ...s,
    ...changes,
    epoch: s.epoch + 1,
    lastSeq: s.lastSeq + appended,
    updatedAt: changes.updatedAt ?? at(s.epoch + 1),
  };
}
