import type { ArmBatch } from '../../../core/judge/judge-types.js';
import type { MetricRead, MetricSource, MetricWindow } from '../../../ports/metric-source.js';
import type { RouteTarget } from '../../../ports/router.js';
import {
  type PromAnswer,
  type PrometheusHttpOptions,
  promInstantQuery,
} from './prometheus-http.js';
import {
  DEFAULT_QUERIES,
  DEFAULT_SELECTOR,
  isWindowed,
  type PrometheusQueryTemplates,
  type QueryValues,
  renderQuery,
  sumBy,
} from './prometheus-queries.js';

export interface PrometheusMetricSourceOptions {
  url: string;
  /** Authorization and tenant headers, secrets already resolved. */
  headers?: Record<string, string>;
  /** Per query. Default 5 s. */
  timeoutMs?: number;
  /** Label telling the arms apart. Default `version`. */
  versionLabel?: string;
  /** Its values for the two arms. Default `stable` and `canary`. */
  armValues?: { baseline: string; canary: string };
  /** Label carrying the route, for per-endpoint counts. Unset: no per-endpoint counts. */
  endpointLabel?: string;
  /** Label matchers for one service (`{selector}` minus the version). Default `service="{service}",environment="{environment}"`. */
  selector?: string;
  queries?: Partial<PrometheusQueryTemplates>;
}

type Arm = 'baseline' | 'canary';

/** One configured query, rendered, for `rollgate validate --connect`. */
export interface QueryCheck {
  name: string;
  query: string;
  ok: boolean;
  message: string;
}

/**
 * MetricSource port over any Prometheus-compatible HTTP API (docs/adapters/prometheus.md).
 *
 * Counter templates (no `{window}`) are evaluated at both ends of the window and
 * subtracted, per arm (and endpoint, and `le` bucket): exact counts, unlike `increase()`,
 * which extrapolates and misses a series' first increments. A series absent at the start
 * began inside the window and counts from 0; a counter that went down was reset and counts
 * from the reset. Templates with `{window}` are evaluated once at the end (e.g. your own
 * `increase(x[{window}])`) and rounded.
 *
 * No series for an arm, or no requests at all, is *no data* (`ok: false`, retryable),
 * never zeros; so is Prometheus being down, slow or answering an error. `staleSeconds`
 * is the age of the oldest arm's newest request sample.
 */
export class PrometheusMetricSource implements MetricSource {
  readonly name = 'prometheus';
  private readonly http: PrometheusHttpOptions;
  private readonly queries: PrometheusQueryTemplates;
  private readonly versionLabel: string;
  private readonly arms: { baseline: string; canary: string };

  constructor(private readonly options: PrometheusMetricSourceOptions) {
    this.http = {
      url: options.url,
      timeoutMs: options.timeoutMs ?? 5_000,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    };
    this.queries = {
      ...DEFAULT_QUERIES,
      ...options.queries,
      gauges: options.queries?.gauges ?? {},
    };
    this.versionLabel = options.versionLabel ?? 'version';
    this.arms = options.armValues ?? { baseline: 'stable', canary: 'canary' };
  }

  async read(target: RouteTarget, window: MetricWindow, signal?: AbortSignal): Promise<MetricRead> {
    const from = window.from / 1000;
    const to = window.to / 1000;
    if (!(to > from)) {
      return { ok: false, reason: `empty window (${window.from}..${window.to})`, retryable: false };
    }
    const values = this.values(target, to - from);
    const ep = this.options.endpointLabel;
    const v = this.versionLabel;
    const q = (t: string) => renderQuery(t, values);
    const counter = (labels: (string | undefined)[], template: string) =>
      this.counter(
        labels,
        q(template),
        template,
        { from, to, strict: window.startsAtChange },
        signal,
      );
    const [requests, errors, latency, stale, gauges] = await Promise.all([
      counter([v, ep], this.queries.requests),
      counter([v, ep], this.queries.errors),
      counter([v, 'le'], this.queries.latencyBuckets),
      isWindowed(this.queries.requests)
        ? Promise.resolve(undefined)
        : this.query(`max by (${v}) (timestamp(${q(this.queries.requests)}))`, to, signal),
      Promise.all(
        Object.entries(this.queries.gauges).map(
          async ([name, t]) => [name, await this.query(sumBy([v], q(t)), to, signal)] as const,
        ),
      ),
    ]);
    for (const answer of [requests, errors, latency, stale, ...gauges.map((g) => g[1])]) {
      if (answer !== undefined && !answer.ok) return answer;
    }
    if (!requests.ok || !errors.ok || !latency.ok) throw new Error('unreachable');

    const where = `${target.service}/${target.environment}`;
    const present = new Set(requests.rows.map((r) => r.arm));
    for (const arm of ['baseline', 'canary'] as const) {
      if (!present.has(arm)) {
        return {
          ok: false,
          reason: `no ${arm} series in Prometheus for ${where} (${v}="${this.arms[arm]}") at ${new Date(window.to).toISOString()}`,
          retryable: true,
        };
      }
    }
    const batch = { baseline: emptyArm(), canary: emptyArm() };
    for (const row of requests.rows) {
      const arm = batch[row.arm];
      arm.requests += row.value;
      if (ep !== undefined && row.value > 0) {
        const route = row.metric[ep] ?? 'other';
        arm.endpoints = arm.endpoints ?? {};
        const e = arm.endpoints;
        e[route] = {
          requests: (e[route]?.requests ?? 0) + row.value,
          errors: e[route]?.errors ?? 0,
        };
      }
    }
    for (const row of errors.rows) {
      const arm = batch[row.arm];
      arm.errors += row.value;
      const route = ep === undefined ? undefined : (row.metric[ep] ?? 'other');
      const e = route === undefined ? undefined : arm.endpoints?.[route];
      if (e) e.errors += row.value;
    }
    for (const row of latency.rows) {
      const le = row.metric.le;
      if (le === undefined) continue;
      const arm = batch[row.arm];
      arm.latency = arm.latency ?? {};
      const l = arm.latency;
      l[normaliseLe(le)] = (l[normaliseLe(le)] ?? 0) + row.value;
    }
    for (const [name, answer] of gauges) {
      if (!answer.ok) continue;
      for (const s of answer.samples) {
        const arm = this.armOf(s.metric);
        const value = Number(s.value[1]);
        if (arm === undefined || !Number.isFinite(value)) continue;
        batch[arm].gauges = { ...batch[arm].gauges, [name]: value };
      }
    }
    if (batch.baseline.requests + batch.canary.requests === 0) {
      return { ok: false, reason: `no requests for ${where} in the window`, retryable: true };
    }
    const read: MetricRead = { ok: true, batch };
    if (stale?.ok) {
      const newest = stale.samples.map((s) => Number(s.value[1])).filter(Number.isFinite);
      if (newest.length > 0) {
        read.staleSeconds = Math.max(0, Math.round((to - Math.min(...newest)) * 10) / 10);
      }
    }
    return read;
  }

  /** Runs every configured query once (at `now`), for `rollgate validate --connect`. */
  async checkQueries(
    target: RouteTarget,
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<QueryCheck[]> {
    const values = this.values(target, 60);
    const entries: [string, string][] = [
      ['requests', this.queries.requests],
      ['errors', this.queries.errors],
      ['latencyBuckets', this.queries.latencyBuckets],
      ...Object.entries(this.queries.gauges).map(
        ([n, t]) => [`gauges.${n}`, t] as [string, string],
      ),
    ];
    return Promise.all(
      entries.map(async ([name, template]) => {
        const query = renderQuery(template, values);
        const answer = await this.query(query, nowMs / 1000, signal);
        if (!answer.ok) return { name, query, ok: false, message: answer.reason };
        const arms = new Set(answer.samples.map((s) => this.armOf(s.metric)).filter(Boolean));
        const message =
          answer.samples.length === 0
            ? 'valid PromQL, but no series right now'
            : `${answer.samples.length} series (${[...arms].sort().join(', ') || `no ${this.versionLabel}="${this.arms.baseline}"/"${this.arms.canary}" label`})`;
        return { name, query, ok: true, message };
      }),
    );
  }

  private values(target: RouteTarget, windowSeconds: number): QueryValues {
    return {
      service: target.service,
      environment: target.environment,
      versionLabel: this.versionLabel,
      baseline: this.arms.baseline,
      canary: this.arms.canary,
      windowSeconds,
      selectorTemplate: this.options.selector ?? DEFAULT_SELECTOR,
    };
  }

  private armOf(metric: Record<string, string>): Arm | undefined {
    const value = metric[this.versionLabel];
    if (value === this.arms.baseline) return 'baseline';
    if (value === this.arms.canary) return 'canary';
    return undefined;
  }

  private query(query: string, at: number, signal?: AbortSignal): Promise<PromAnswer> {
    return promInstantQuery(this.http, query, at, signal);
  }

  /**
   * Per series: end − start (absent at start = 0; reset = end), or the windowed value.
   * `strict` (the window starts at a weight change): the start is each raw series' first
   * sample after `from` instead of its last one before, so the scrape that straddles the
   * change (traffic at the old weight) is not counted; a series with no sample after `from`
   * counts 0, one that appeared after `from` counts from 0 as usual. Only for templates
   * that are a plain vector selector (`name{…}`); needs the `@` modifier (Prometheus 2.33+).
   */
  private async counter(
    labels: (string | undefined)[],
    rendered: string,
    template: string,
    w: { from: number; to: number; strict: boolean | undefined },
    signal?: AbortSignal,
  ): Promise<
    | { ok: true; rows: { arm: Arm; metric: Record<string, string>; value: number }[] }
    | { ok: false; reason: string; retryable: boolean }
  > {
    const windowed = isWindowed(template);
    const query = sumBy(labels, rendered);
    const strict = w.strict === true && !windowed && isVectorSelector(rendered);
    const rangeMs = Math.max(1, Math.round((w.to - w.from) * 1000));
    const [end, start] = await Promise.all([
      this.query(query, w.to, signal),
      windowed
        ? Promise.resolve(undefined)
        : strict
          ? this.query(
              sumBy(
                labels,
                `(min_over_time(${rendered}[${rangeMs}ms]) or ${rendered}) and (${rendered} @ ${w.from.toFixed(3)})`,
              ),
              w.to,
              signal,
            )
          : this.query(query, w.from, signal),
    ]);
    if (!end.ok) return end;
    if (start !== undefined && !start.ok) return start;
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
    const before = new Map((start?.samples ?? []).map((s) => [key(s.metric), Number(s.value[1])]));
    const rows: { arm: Arm; metric: Record<string, string>; value: number }[] = [];
    for (const s of end.samples) {
      const arm = this.armOf(s.metric);
      const now = Number(s.value[1]);
      if (arm === undefined || !Number.isFinite(now)) continue;
      const was = before.get(key(s.metric)) ?? 0;
      const delta = windowed ? now : now >= was ? now - was : now;
      rows.push({ arm, metric: s.metric, value: Math.max(0, Math.round(delta)) });
    }
    return { ok: true, rows };
  }
}

/** `name`, `name{…}` or `{…}`: a template the range selector `[…]` can follow. */
function isVectorSelector(expr: string): boolean {
  return /^\s*(?:[A-Za-z_:][\w:]*\s*(?:\{[^{}]*\})?|\{[^{}]*\})\s*$/.test(expr);
}

function emptyArm(): ArmBatch {
  return { requests: 0, errors: 0 };
}

/** `le="0.1"`, `le="0.100"` and `le="+Inf"` as the judge's keys ("0.1", "+Inf"). */
function normaliseLe(le: string): string {
  if (le === '+Inf' || le === 'Inf' || le === '+inf') return '+Inf';
  const n = Number(le);
  return Number.isFinite(n) ? String(n) : le;
}
