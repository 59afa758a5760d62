/**
 * `Observations` (docs/api.md): the measurements a rollout's judge saw, batch by batch,
 * its gates in display units, and its last verdict; derived from the recorded
 * `judge.verdict` and `watch.sample` events (the timeline is the source of truth).
 */
import type { ArmBatch, Batch } from '../core/judge/judge-types.js';
import {
  addHistogram,
  countAbove,
  type Histogram,
  parseHistogram,
} from '../core/judge/latency-histogram.js';
import type { GateSpec } from '../core/plan/plan-types.js';
import { gateIndicator } from '../core/records/gate-words.js';
import { quantile } from '../core/records/latency-histogram.js';
import type { RolloutSnapshot, TimelineEvent } from '../core/rollout/rollout-types.js';

export interface Arm {
  requests: number;
  errors: number;
  errorRate: number;
  p99Ms: number | null;
  exceedances: number | null;
}

export interface ObservationPoint {
  at: string;
  stepIndex: number;
  weight: number;
  canary: Arm;
  baseline: Arm;
}

export interface Gate {
  metric: string;
  threshold: number;
  unit: string;
  label: string;
}

/** The last `judge.verdict` of a rollout, as the dashboard shows it. */
export interface ObservedVerdict {
  decision: string;
  reason: string;
  at: string;
  evidence: Record<string, unknown>;
}

export interface Observations {
  points: ObservationPoint[];
  gates: Gate[];
  verdict: ObservedVerdict | null;
}

const EMPTY: Arm = { requests: 0, errors: 0, errorRate: 0, p99Ms: null, exceedances: null };

/** Requests slower than `limitSeconds` (the largest bucket bound at or under it). */
function over(latency: Record<string, number> | undefined, limitSeconds: number): number | null {
  if (!latency) return null;
  let total: number | undefined;
  let within = 0;
  let bound = Number.NEGATIVE_INFINITY;
  for (const [le, count] of Object.entries(latency)) {
    const b = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    if (b === Number.POSITIVE_INFINITY) total = count;
    else if (b <= limitSeconds && b > bound) {
      bound = b;
      within = count;
    }
  }
  return total === undefined ? null : Math.max(0, total - within);
}

/**
 * The latency threshold τ of a step, as the judge fixes it (ADR 0023): the bucket edge
 * whose baseline exceedance is closest (in log) to 1 − q, among edges with at least 10
 * baseline requests above them; here from all the step's baseline batches.
 */
function tauOf(baselines: readonly (ArmBatch | undefined)[], q = 0.99): number | undefined {
  let merged: Histogram | undefined;
  for (const b of baselines) {
    const h = b ? parseHistogram(b.latency, b.requests) : undefined;
    if (h) merged = addHistogram(merged, h);
  }
  if (!merged || merged.total <= 0) return undefined;
  let best: { edge: number; d: number } | undefined;
  for (let i = 0; i < merged.edges.length; i += 1) {
    const above = merged.total - (merged.cumulative[i] ?? merged.total);
    if (above < 10) continue;
    const d = Math.abs(Math.log(above / merged.total) - Math.log(1 - q));
    if (!best || d < best.d) best = { edge: merged.edges[i] as number, d };
  }
  return best?.edge;
}

/** Requests slower than τ (an edge of the step's histograms), or null without one. */
function exceeding(a: ArmBatch, tau: number | undefined): number | null {
  if (tau === undefined) return null;
  const h = parseHistogram(a.latency, a.requests);
  return h ? (countAbove(h, tau) ?? null) : null;
}

function arm(
  a: ArmBatch | undefined,
  latencyLimit: number | undefined,
  tau: number | undefined,
): Arm {
  if (!a) return EMPTY;
  const p99 = quantile(a.latency, 0.99);
  return {
    requests: a.requests,
    errors: a.errors,
    errorRate: a.requests > 0 ? a.errors / a.requests : 0,
    p99Ms: p99 === undefined ? null : p99 * 1000,
    exceedances: latencyLimit === undefined ? exceeding(a, tau) : over(a.latency, latencyLimit),
  };
}

function gate(g: GateSpec, critical: readonly string[]): Gate {
  const latency = g.metric.startsWith('latency_');
  const metric = g.metric === 'latency_p99' ? 'p99' : g.metric;
  const label = gateIndicator(g, critical);
  if (g.comparison === 'relative') {
    return { metric, threshold: g.threshold * 100, unit: '% of baseline', label };
  }
  if (latency) return { metric, threshold: g.threshold * 1000, unit: 'ms', label };
  if (g.metric === 'endpoint_errors' && g.threshold === 0) {
    return { metric, threshold: 0, unit: 'errors', label };
  }
  return {
    metric,
    threshold: g.threshold * 100,
    unit: g.comparison === 'delta' ? '% above baseline' : '%',
    label,
  };
}

export function observationsOf(
  rollout: RolloutSnapshot,
  events: readonly TimelineEvent[],
): Observations {
  const gates = rollout.plan.judge.gates;
  const absoluteP99 = gates.find(
    (g) => g.metric === 'latency_p99' && g.comparison === 'absolute',
  )?.threshold;
  const points: ObservationPoint[] = [];
  let verdict: Observations['verdict'] = null;
  // τ per traffic step, from that step's baseline batches (requests slower than τ).
  const baselines = new Map<number, (ArmBatch | undefined)[]>();
  for (const e of events) {
    const batch = e.type === 'judge.verdict' ? (e.data.batch as Batch | null | undefined) : null;
    if (!batch) continue;
    const step = typeof e.data.step === 'number' ? e.data.step : 0;
    baselines.set(step, [...(baselines.get(step) ?? []), batch.baseline]);
  }
  const taus = new Map([...baselines].map(([step, list]) => [step, tauOf(list)]));
  for (const e of events) {
    const d = e.data;
    const stepIndex = typeof d.step === 'number' ? d.step : 0;
    if (e.type === 'judge.verdict') {
      const batch = d.batch as Batch | null | undefined;
      if (batch) {
        const tau = taus.get(stepIndex);
        points.push({
          at: e.at,
          stepIndex,
          weight: batch.weight,
          canary: arm(batch.canary, absoluteP99, tau),
          baseline: arm(batch.baseline, absoluteP99, tau),
        });
      }
    } else if (e.type === 'watch.sample') {
      const a = d.arm as ArmBatch | null | undefined;
      if (a) {
        points.push({
          at: e.at,
          stepIndex,
          weight: 100,
          canary: arm(a, absoluteP99, undefined),
          baseline: EMPTY,
        });
      }
    } else continue;
    const { batch: _b, arm: _a, ...evidence } = d;
    verdict = {
      decision: typeof d.decision === 'string' ? d.decision : 'inconclusive',
      reason: typeof d.reason === 'string' ? d.reason : e.message,
      at: e.at,
      evidence,
    };
  }
  return {
    points,
    gates: gates.map((g) => gate(g, rollout.plan.judge.criticalEndpoints)),
    verdict,
  };
}
