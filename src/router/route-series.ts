import type { Metric } from 'prom-client';
import { type Arm, LATENCY_BUCKETS } from './measurement-ring.js';

/** One (version, route) series: plain numbers, bumped per request without any lookup. */
export class SeriesCells {
  requests = 0;
  sum = 0;
  /** Non-cumulative counts per bucket; the last cell is (10 s, +Inf). */
  readonly buckets = new Float64Array(LATENCY_BUCKETS.length + 1);

  constructor(
    readonly version: Arm,
    readonly route: string,
  ) {}

  observe(seconds: number): void {
    this.requests++;
    this.sum += seconds;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[i] as number)) i++;
    (this.buckets[i] as number)++;
  }
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * The per-request counter and latency histogram of the router, kept as plain numbers per
 * (version, route) series and turned into prom-client's metric shape only when `/metrics`
 * is read (ADR 0181): prom-client's own `inc`/`observe` hash the labels on every call,
 * which cost the fast path as much as parsing a response head.
 */
export class RouteSeries {
  private readonly byArm: Record<Arm, Map<string, SeriesCells>> = {
    stable: new Map(),
    canary: new Map(),
  };

  constructor(
    private readonly names: { requests: string; latency: string },
    private readonly help: { requests: string; latency: string },
  ) {}

  /** The cells of one series, created on first use; callers keep them. */
  series(version: Arm, route: string): SeriesCells {
    const arm = this.byArm[version];
    let s = arm.get(route);
    if (s === undefined) {
      s = new SeriesCells(version, route);
      arm.set(route, s);
    }
    return s;
  }

  private all(): SeriesCells[] {
    return [...this.byArm.stable.values(), ...this.byArm.canary.values()];
  }

  /** The counter, as an object prom-client's Registry can register, print and aggregate. */
  requestsMetric(): Metric {
    return asMetric({
      name: this.names.requests,
      help: this.help.requests,
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({
        name: this.names.requests,
        help: this.help.requests,
        type: 'counter',
        aggregator: 'sum',
        values: this.all().map((s) => ({
          labels: { version: s.version, route: s.route },
          value: s.requests,
        })),
      }),
    });
  }

  /** The latency histogram (cumulative buckets, `_sum`, `_count`), same shape as prom-client's. */
  latencyMetric(): Metric {
    const name = this.names.latency;
    const help = this.help.latency;
    return asMetric({
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: async () => {
        const values: MetricValue[] = [];
        for (const s of this.all()) {
          const labels = { version: s.version, route: s.route };
          let acc = 0;
          LATENCY_BUCKETS.forEach((le, i) => {
            acc += s.buckets[i] as number;
            values.push({ labels: { le, ...labels }, value: acc, metricName: `${name}_bucket` });
          });
          values.push(
            { labels: { le: '+Inf', ...labels }, value: s.requests, metricName: `${name}_bucket` },
            { labels, value: s.sum, metricName: `${name}_sum` },
            { labels, value: s.requests, metricName: `${name}_count` },
          );
        }
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
    });
  }
}

/** prom-client's Registry needs only name, get() and the fields get() returns. */
function asMetric(m: {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get: () => Promise<unknown>;
}): Metric {
  return m as unknown as Metric;
}
