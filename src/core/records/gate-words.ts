/**
 * A policy gate said the way the seeds say it: "Error rate within 0.1 % of baseline",
 * "P99 latency within 25 % of baseline", "No 5xx on critical endpoints". Used for the
 * release log's "Successful Deployment Indicators".
 */
import type { GateSpec } from '../plan/plan-types.js';
import { capital, latency, percent } from './record-format.js';

const METRIC: Record<GateSpec['metric'], string> = {
  error_rate: 'Error rate',
  latency_p50: 'P50 latency',
  latency_p90: 'P90 latency',
  latency_p95: 'P95 latency',
  latency_p99: 'P99 latency',
  endpoint_errors: 'Errors on critical endpoints',
  gauge: 'Gauge',
};

/** What holding the gate looks like, in words. */
export function gateIndicator(g: GateSpec, criticalEndpoints: readonly string[] = []): string {
  const isLatency = g.metric.startsWith('latency_');
  const value = (v: number) => (isLatency ? latency(v) : percent(v));
  const name = g.metric === 'gauge' ? capital(`${g.gauge ?? 'gauge'} usage`) : METRIC[g.metric];
  if (g.metric === 'endpoint_errors' && g.comparison === 'absolute' && g.threshold === 0) {
    const where = g.endpoints?.length ? g.endpoints : criticalEndpoints;
    return `No 5xx on critical endpoints${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
  }
  const span = g.forSeconds > 0 ? ` (for ${Math.round(g.forSeconds / 60)}+ min)` : '';
  switch (g.comparison) {
    case 'delta':
      return `${name} within ${value(g.threshold)} of baseline`;
    case 'relative':
      return `${name} within ${percent(g.threshold)} of baseline`;
    case 'absolute':
      return `${name} at most ${value(g.threshold)}${span}`;
  }
}
