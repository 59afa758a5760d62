import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type Arm, LATENCY_BUCKETS } from './measurement-ring.js';

export type ErrorKind = '5xx' | 'timeout' | 'reset';

interface RouteSeries {
  requests: Counter.Internal;
  latency: Histogram.Internal<'version' | 'route'>;
}

/**
 * The router's Prometheus metrics (prom-client, on its own registry so several routers can
 * live in one process). Names follow Prometheus conventions; the latency buckets are the
 * fixed `LATENCY_BUCKETS`, the same ones the MetricSource windows use.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'version' | 'route'>;
  private readonly errors: Counter<'version' | 'route' | 'kind'>;
  private readonly latency: Histogram<'version' | 'route'>;
  private readonly overrides: Counter<'version'>;
  private readonly series = new Map<string, RouteSeries>();

  constructor(hooks: {
    weight: () => number;
    inflight: () => number;
    units: () => Record<Arm, number>;
    unitsWindowSeconds: number;
  }) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'rollgate_router_requests_total',
      help: 'Requests proxied, by version and route (override requests excluded).',
      labelNames: ['version', 'route'],
      registers,
    });
    this.errors = new Counter({
      name: 'rollgate_router_errors_total',
      help: 'Failed requests: upstream 5xx, resets (502) and timeouts (504).',
      labelNames: ['version', 'route', 'kind'],
      registers,
    });
    this.latency = new Histogram({
      name: 'rollgate_router_request_duration_seconds',
      help: 'Time from request arrival to the end of the response.',
      labelNames: ['version', 'route'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    this.overrides = new Counter({
      name: 'rollgate_router_override_requests_total',
      help: 'Requests routed by the version override header (not in the windows).',
      labelNames: ['version'],
      registers,
    });
    new Gauge({
      name: 'rollgate_router_canary_weight_percent',
      help: 'Canary weight in force for new requests.',
      registers,
      aggregator: 'omit',
      collect() {
        this.set(hooks.weight());
      },
    });
    new Gauge({
      name: 'rollgate_router_inflight_requests',
      help: 'Requests being proxied now.',
      registers,
      collect() {
        this.set(hooks.inflight());
      },
    });
    new Gauge({
      name: 'rollgate_router_units',
      help: `Distinct unit keys seen over the last ${hooks.unitsWindowSeconds} s.`,
      labelNames: ['version'],
      registers,
      aggregator: 'omit',
      collect() {
        const u = hooks.units();
        this.set({ version: 'stable' }, u.stable);
        this.set({ version: 'canary' }, u.canary);
      },
    });
  }

  observe(arm: Arm, route: string, seconds: number, error: ErrorKind | undefined): void {
    const key = `${arm}\u0000${route}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = {
        requests: this.requests.labels(arm, route),
        latency: this.latency.labels(arm, route),
      };
      this.series.set(key, s);
    }
    s.requests.inc();
    s.latency.observe(seconds);
    if (error !== undefined) this.errors.inc({ version: arm, route, kind: error });
  }

  override(arm: Arm): void {
    this.overrides.inc({ version: arm });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
