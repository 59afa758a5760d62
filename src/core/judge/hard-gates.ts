import type { GateSpec } from '../plan/plan-types.js';
import type { Batch } from './judge-types.js';
import { addHistogram, type Histogram, parseHistogram, quantile } from './latency-histogram.js';

/**
 * Hard gates (ADR 0024): thresholds on the canary alone ("error rate > 1 % for 2 min",
 * "p99 > 2 s for 3 min", "any 5xx on a critical endpoint", "memory > 85 % for 5 min"),
 * and gauge comparisons with the baseline. Rates and percentiles are taken over the
 * trailing HARD_GATE_WINDOW_SECONDS of batch time (like Prometheus' rate(x[1m])); the
 * condition must hold at every fresh batch for `forSeconds` before the action fires.
 */
export const HARD_GATE_WINDOW_SECONDS = 60;

export interface HardGateState {
  gate: GateSpec;
  /** Batch time since which the condition has held without a break. */
  since?: number;
  /** Observed value at the last evaluation, in the gate's unit. */
  observed?: number;
  /** Baseline value, for gauge comparisons. */
  baseline?: number;
  holds: boolean;
  fired: boolean;
  /** Endpoint that breached, for endpoint gates. */
  endpoint?: string;
}

export const QUANTILES: Record<string, number> = {
  latency_p50: 0.5,
  latency_p90: 0.9,
  latency_p95: 0.95,
  latency_p99: 0.99,
};

export function isHardGate(gate: GateSpec): boolean {
  return gate.comparison === 'absolute' || gate.metric === 'gauge';
}

export class HardGates {
  readonly states: HardGateState[];
  private window: Batch[] = [];

  constructor(
    gates: GateSpec[],
    private readonly criticalEndpoints: string[],
  ) {
    this.states = gates.map((gate) => ({ gate, holds: false, fired: false }));
  }

  add(batch: Batch): void {
    if (this.states.length === 0) return;
    this.window.push(batch);
    const from = batch.t - HARD_GATE_WINDOW_SECONDS;
    while (this.window.length > 1 && this.window[0]!.t <= from) this.window.shift();
    for (const s of this.states) {
      const holds = this.evaluate(s, batch);
      if (holds === undefined) continue; // unknown: keep the clock as it is
      s.holds = holds;
      if (!holds) {
        s.since = undefined;
        continue;
      }
      s.since ??= batch.t;
      if (batch.t - s.since >= s.gate.forSeconds) s.fired = true;
    }
  }

  private evaluate(s: HardGateState, latest: Batch): boolean | undefined {
    const g = s.gate;
    switch (g.metric) {
      case 'error_rate': {
        let requests = 0;
        let errors = 0;
        for (const b of this.window) {
          requests += b.canary.requests;
          errors += b.canary.errors;
        }
        if (requests <= 0) return undefined;
        s.observed = errors / requests;
        return s.observed > g.threshold;
      }
      case 'endpoint_errors': {
        const endpoints =
          g.endpoints && g.endpoints.length > 0 ? g.endpoints : this.criticalEndpoints;
        let known = false;
        let worst = 0;
        for (const path of endpoints) {
          let requests = 0;
          let errors = 0;
          for (const b of this.window) {
            const e = b.canary.endpoints?.[path];
            if (!e) continue;
            requests += e.requests;
            errors += e.errors;
          }
          if (requests <= 0 && errors <= 0) continue;
          known = true;
          const rate = requests > 0 ? errors / requests : 1;
          if (errors > 0 && rate > g.threshold && rate >= worst) {
            worst = rate;
            s.endpoint = path;
          }
        }
        if (!known) return undefined;
        s.observed = worst;
        return worst > g.threshold && worst > 0;
      }
      case 'gauge': {
        const name = g.gauge ?? 'memory';
        const c = latest.canary.gauges?.[name];
        if (c === undefined) return undefined;
        s.observed = c;
        if (g.comparison === 'absolute') return c > g.threshold;
        const b = latest.baseline.gauges?.[name];
        if (b === undefined) return undefined;
        s.baseline = b;
        return g.comparison === 'delta' ? c - b > g.threshold : c > b * (1 + g.threshold);
      }
      default: {
        const q = QUANTILES[g.metric];
        if (q === undefined) return undefined;
        let merged: Histogram | undefined;
        for (const b of this.window) {
          const h = parseHistogram(b.canary.latency, b.canary.requests);
          if (h) merged = addHistogram(merged, h);
        }
        if (!merged) return undefined;
        const value = quantile(merged, q);
        if (value === undefined) return undefined;
        s.observed = value;
        return value > g.threshold;
      }
    }
  }
}
