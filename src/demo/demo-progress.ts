import type { ArmBatch } from '../core/judge/judge-types.js';
import type { RolloutSnapshot, TimelineEvent } from '../core/rollout/rollout-types.js';

/** Per-arm totals over the current step, from the batches the judge saw. */
export interface ArmTotals {
  requests: number;
  errors: number;
  /** Cumulative latency histogram (upper bound in seconds → count ≤ bound). */
  latency: Record<string, number>;
  /** Last memory gauge seen (fraction), when reported. */
  memory?: number;
}

export interface DemoVerdict {
  decision: string;
  reason: string;
  decidedBy?: string;
}

/** What the live view shows; rebuilt from the rollout's timeline as it grows. */
export interface DemoProgress {
  snapshot: RolloutSnapshot;
  /** Wall seconds since the rollout started, and demo (clock) seconds. */
  elapsedSeconds: number;
  demoSeconds: number;
  /** The step the totals are for. */
  step: number;
  baseline: ArmTotals;
  canary: ArmTotals;
  verdict?: DemoVerdict;
  /** Events appended since the last progress report. */
  newEvents: TimelineEvent[];
}

export function emptyTotals(): ArmTotals {
  return { requests: 0, errors: 0, latency: {} };
}

export function addArm(into: ArmTotals, arm: ArmBatch | undefined): void {
  if (arm === undefined) return;
  into.requests += arm.requests;
  into.errors += arm.errors;
  for (const [bound, count] of Object.entries(arm.latency ?? {})) {
    into.latency[bound] = (into.latency[bound] ?? 0) + count;
  }
  const memory = arm.gauges?.memory;
  if (memory !== undefined) into.memory = memory;
}

/** The upper bound (seconds) of the histogram bucket holding quantile q, or undefined. */
export function quantileBound(latency: Record<string, number>, q: number): number | undefined {
  const total = latency['+Inf'];
  if (total === undefined || total <= 0) return undefined;
  const bounds = Object.keys(latency)
    .filter((b) => b !== '+Inf')
    .map(Number)
    .filter((b) => Number.isFinite(b))
    .sort((a, b) => a - b);
  for (const b of bounds) {
    const key = Object.keys(latency).find((k) => Number(k) === b);
    if (key !== undefined && (latency[key] ?? 0) >= q * total) return b;
  }
  return Number.POSITIVE_INFINITY;
}

export function errorRate(t: ArmTotals): number {
  return t.requests > 0 ? t.errors / t.requests : 0;
}
