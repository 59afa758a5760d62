import type { OutboxMessage } from '../../src/core/rollout/rollout-types.js';

/** An outbox message as the machine writes it (docs/engine.md "Outbox"). */
export function message(over: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: 'm1',
    idempotencyKey: 'r1:7:rollout.rolled_back:ops',
    rolloutId: 'r1',
    route: 'ops',
    eventType: 'rollout.rolled_back',
    payload: {
      rolloutId: 'r1',
      releaseId: 'rel1',
      service: 'checkout',
      environment: 'production',
      version: '2.4.1',
      previousVersion: '2.4.0',
      state: 'rolled_back',
      step: 2,
      weight: 0,
      seq: 7,
      at: '2026-11-21T14:00:00.000Z',
      actor: 'engine',
      message: 'rolled back: p99 latency above the baseline',
      reason: 'p99 latency above the baseline',
    },
    status: 'pending',
    attempts: 0,
    nextAttemptAt: '2026-11-21T14:00:00.000Z',
    createdAt: '2026-11-21T14:00:00.000Z',
    ...over,
  };
}
