import type { GateMetric } from '../plan/plan-types.js';
import type { MetricsConfig } from './service-schema.js';

/**
 * What each metric source can measure (docs/policy.md "Metric capabilities"). A gate on
 * a metric its service's source cannot provide is a policy error, unless the gate is
 * `optional` (then it is skipped for that service, with a note in the plan).
 *
 * | type       | error_rate | latency_* | endpoint_errors          | gauges                   |
 * |------------|------------|-----------|--------------------------|--------------------------|
 * | builtin    | yes        | yes       | yes (the proxy sees routes) | those in `gauges` (reported by the upstreams) |
 * | prometheus | yes        | yes       | with `endpointLabel`     | those in `queries.gauges` |
 */
export interface MetricCapabilities {
  metrics: ReadonlySet<GateMetric>;
  gauges: ReadonlySet<string>;
}

const LATENCY: GateMetric[] = ['latency_p50', 'latency_p90', 'latency_p95', 'latency_p99'];

export function metricCapabilities(config: MetricsConfig): MetricCapabilities {
  switch (config.type) {
    case 'builtin': {
      const gauges = new Set(config.gauges ?? []);
      const metrics = new Set<GateMetric>(['error_rate', ...LATENCY, 'endpoint_errors']);
      if (gauges.size > 0) metrics.add('gauge');
      return { metrics, gauges };
    }
    case 'prometheus': {
      const gauges = new Set(Object.keys(config.queries?.gauges ?? {}));
      const metrics = new Set<GateMetric>(['error_rate', ...LATENCY]);
      if (config.endpointLabel) metrics.add('endpoint_errors');
      if (gauges.size > 0) metrics.add('gauge');
      return { metrics, gauges };
    }
  }
}

/** Why a source cannot provide a gate's metric, or undefined when it can. */
export function missingCapability(
  config: MetricsConfig,
  metric: GateMetric,
  gauge: string | undefined,
): { reason: string; fix: string } | undefined {
  const caps = metricCapabilities(config);
  if (metric === 'gauge') {
    if (gauge !== undefined && caps.gauges.has(gauge)) return undefined;
    return config.type === 'prometheus'
      ? {
          reason: `its metrics (prometheus) have no query for the gauge \`${gauge}\``,
          fix: `add \`metrics.queries.gauges.${gauge}\` (a PromQL query giving a fraction 0..1)`,
        }
      : {
          reason: `its metrics (builtin) list no gauge \`${gauge}\``,
          fix: `add \`metrics.gauges: [${gauge}]\` when the upstreams report it in \`x-rollgate-gauge-${gauge}\`, or use prometheus with \`queries.gauges\``,
        };
  }
  if (caps.metrics.has(metric)) return undefined;
  if (metric === 'endpoint_errors' && config.type === 'prometheus') {
    return {
      reason:
        'its metrics (prometheus) have no `endpointLabel`, so errors cannot be split per endpoint',
      fix: 'set `metrics.endpointLabel` to the label that carries the route',
    };
  }
  return {
    reason: `its metrics (${config.type}) do not provide \`${metric}\``,
    fix: 'use another metric source',
  };
}
