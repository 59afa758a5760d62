import { Counter, Gauge, Registry } from 'prom-client';
import type { Arm } from './measurement-ring.js';
import { RouteSeries, type SeriesCells } from './route-series.js';

export type ErrorKind = '5xx' | 'timeout' | 'reset';

/**
 * The router's Prometheus metrics (prom-client, on its own registry so several routers can
 * live in one process). Names follow Prometheus conventions; the latency buckets are the
 * fixed `LATENCY_BUCKETS`, the same ones the MetricSource windows use.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly series = new RouteSeries(
    {
      requests: 'rollgate_router_requests_total',
      latency: 'rollgate_router_request_duration_seconds',
    },
    {
      requests: 'Requests proxied, by version and route (override requests excluded).',
      latency: 'Time from request arrival to the end of the response.',
    },
  );
  private readonly errors: Counter<'version' | 'route' | 'kind'>;
  private readonly overrides: Counter<'version'>;

  constructor(hooks: {
    weight: () => number;
    inflight: () => number;
    units: () => Record<Arm, number>;
    unitsWindowSeconds: number;
  }) {
    const registers = [this.registry];
    this.registry.registerMetric(this.series.requestsMetric());
    this.errors = new Counter({
      name: 'rollgate_router_errors_total',
      help: 'Failed requests: upstream 5xx, resets (502) and timeouts (504).',
      labelNames: ['version', 'route', 'kind'],
      registers,
    });
    this.registry.registerMetric(this.series.latencyMetric());
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

  /** The cells of one (version, route) series; keep them to observe without a lookup. */
  cells(arm: Arm, route: string): SeriesCells {
    return this.series.series(arm, route);
  }

  observe(cells: SeriesCells, seconds: number, error: ErrorKind | undefined): void {
    cells.observe(seconds);
    if (error !== undefined) {
      this.errors.inc({ version: cells.version, route: cells.route, kind: error });
    }
  }

  override(arm: Arm): void {
    this.overrides.inc({ version: arm });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
