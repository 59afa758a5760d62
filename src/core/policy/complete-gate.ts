import type { GateMetric, GateSpec } from '../plan/plan-types.js';
import type { GateConfig } from './gate-schema.js';
import type { PathSegment } from './policy-issue.js';
import type { PolicyGate } from './policy-types.js';
import type { Threshold } from './schema-primitives.js';
import { formatDuration, formatPercent } from './units.js';

const LATENCY = new Set<GateMetric>(['latency_p50', 'latency_p90', 'latency_p95', 'latency_p99']);

/** A complete gate in base units, or undefined (with issues) when it is not. */
export function completeGate(
  name: string,
  g: GateConfig,
  add: (path: PathSegment[], message: string, hint?: string) => void,
): PolicyGate | undefined {
  const enabled = g.enabled ?? true;
  const at = (key: string): PathSegment[] => ['gates', name, key];
  let ok = true;
  for (const key of ['metric', 'comparison', 'threshold', 'action'] as const) {
    if (g[key] === undefined) {
      add(at(key), `gate \`${name}\` is missing \`${key}\``);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const metric = g.metric as GateMetric;
  if (metric === 'gauge' && !g.gauge) {
    add(at('metric'), 'a gate on `metric: gauge` needs `gauge` (e.g. `gauge: memory`)');
    ok = false;
  }
  if (metric !== 'gauge' && g.gauge !== undefined) {
    add(at('gauge'), '`gauge` only applies to `metric: gauge`');
    ok = false;
  }
  if (metric !== 'endpoint_errors' && g.endpoints !== undefined) {
    add(at('endpoints'), '`endpoints` only applies to `metric: endpoint_errors`');
    ok = false;
  }
  const threshold = g.threshold as Threshold;
  const wanted = expectedUnit(metric, g.comparison as string);
  if (threshold.unit !== 'zero' && threshold.unit !== wanted) {
    add(
      at('threshold'),
      `wrong unit for a ${g.comparison} \`${metric}\` threshold: expected ${
        wanted === 'seconds' ? 'a duration, like `2s` or `300ms`' : 'a percentage, like `0.1%`'
      }, found a ${threshold.unit === 'seconds' ? 'duration' : 'percentage'}`,
      wanted === 'fraction' && LATENCY.has(metric)
        ? 'relative latency gates are percentages above baseline (`25%`); use `comparison: absolute` for a time'
        : undefined,
    );
    ok = false;
  }
  if (!ok) return undefined;
  return {
    name,
    description: g.description,
    metric,
    ...(g.gauge === undefined ? {} : { gauge: g.gauge }),
    ...(g.endpoints === undefined ? {} : { endpoints: g.endpoints }),
    comparison: g.comparison as PolicyGate['comparison'],
    threshold: threshold.value,
    forSeconds: g.for ?? 0,
    action: g.action as PolicyGate['action'],
    enabled,
    optional: g.optional ?? false,
  };
}

function expectedUnit(metric: GateMetric, comparison: string): 'fraction' | 'seconds' {
  if (LATENCY.has(metric) && comparison !== 'relative') return 'seconds';
  return 'fraction';
}

/** "error rate > 0.1% above baseline for 5m → pause", for plan output. */
export function describeGate(gate: PolicyGate | GateSpec): string {
  const metric =
    gate.metric === 'gauge'
      ? (gate.gauge ?? 'gauge')
      : gate.metric === 'endpoint_errors'
        ? `5xx on ${gate.endpoints?.length ? gate.endpoints.join(', ') : 'critical endpoints'}`
        : gate.metric.replace('latency_', '').replace('error_rate', 'error rate');
  const value =
    LATENCY.has(gate.metric) && gate.comparison !== 'relative'
      ? formatDuration(gate.threshold)
      : formatPercent(gate.threshold);
  const condition =
    gate.metric === 'endpoint_errors' && gate.threshold === 0 && gate.comparison === 'absolute'
      ? `any ${metric}`
      : gate.comparison === 'absolute'
        ? `${metric} > ${value}`
        : `${metric} > ${value} above baseline`;
  const duration = gate.forSeconds > 0 ? ` for ${formatDuration(gate.forSeconds)}` : '';
  return `${condition}${duration} → ${gate.action.replace('_', '-')}`;
}
