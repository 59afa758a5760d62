/**
 * Hard gates during a post-release watch (after 100 %): no canary comparison, only the
 * policy's absolute gates evaluated on what the new version served in one batch.
 */
import type { ArmBatch } from '../judge/judge-types.js';
import type { GateAction, GateSpec } from '../plan/plan-types.js';

export interface GateBreach {
  gate: string;
  action: GateAction;
  observed: number;
  threshold: number;
  forSeconds: number;
  message: string;
}

const QUANTILES: Record<string, number> = {
  latency_p50: 0.5,
  latency_p90: 0.9,
  latency_p95: 0.95,
  latency_p99: 0.99,
};

/** Upper bound of the bucket holding quantile q of a cumulative histogram (conservative). */
export function histogramQuantile(latency: Record<string, number>, q: number): number | undefined {
  const buckets = Object.entries(latency)
    .map(([bound, count]) => ({ bound: bound === '+Inf' ? Infinity : Number(bound), count }))
    .filter((b) => !Number.isNaN(b.bound))
    .sort((a, b) => a.bound - b.bound);
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  return buckets.find((b) => b.count >= q * total)?.bound;
}

function observe(gate: GateSpec, arm: ArmBatch, criticalEndpoints: string[]): number | undefined {
  switch (gate.metric) {
    case 'error_rate':
      return arm.requests > 0 ? arm.errors / arm.requests : undefined;
    case 'endpoint_errors': {
      const names = gate.endpoints?.length ? gate.endpoints : criticalEndpoints;
      const endpoints = arm.endpoints ?? {};
      const picked = names.length > 0 ? names : Object.keys(endpoints);
      return picked.reduce((sum, name) => sum + (endpoints[name]?.errors ?? 0), 0);
    }
    case 'gauge':
      return gate.gauge === undefined ? undefined : arm.gauges?.[gate.gauge];
    default: {
      const q = QUANTILES[gate.metric];
      return q === undefined || arm.latency === undefined
        ? undefined
        : histogramQuantile(arm.latency, q);
    }
  }
}

/** The absolute gates whose condition holds on this batch (durations are the caller's). */
export function evaluateWatchGates(
  gates: readonly GateSpec[],
  arm: ArmBatch,
  criticalEndpoints: string[],
): GateBreach[] {
  const breaches: GateBreach[] = [];
  for (const gate of gates) {
    if (gate.comparison !== 'absolute') continue;
    const observed = observe(gate, arm, criticalEndpoints);
    if (observed === undefined || !(observed > gate.threshold)) continue;
    breaches.push({
      gate: gate.name,
      action: gate.action,
      observed,
      threshold: gate.threshold,
      forSeconds: gate.forSeconds,
      message: `${gate.name}: ${gate.metric}${gate.gauge ? `(${gate.gauge})` : ''} ${observed} > ${gate.threshold}`,
    });
  }
  return breaches;
}
