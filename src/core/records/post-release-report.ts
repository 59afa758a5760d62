/**
 * The post-release report (seed 004's structure), from what was measured: phases planned
 * vs actual, per-endpoint p50/p95/p99 (cumulative histograms) and error rates vs the
 * service's SLO targets, request volume and error rate vs the baseline, resource gauges,
 * incidents, and two SVG charts. Markdown plus a JSON-serialisable value alongside.
 */
import type { PlanStep } from '../plan/plan-types.js';
import { type ArmTotals, sumArms, sumBatches } from './arm-totals.js';
import type { ServedTotals } from './incident-times.js';
import { type Percentiles, percentiles } from './latency-histogram.js';
import { renderPostReleaseReport } from './post-release-markdown.js';
import { latency, ms, percent } from './record-format.js';
import { allBatches, type RolloutHistory, rolloutSeconds, stepSeconds } from './rollout-history.js';
import { barChartSvg, lineChartSvg } from './svg-chart.js';

/** Route → targets, as the policy's service `slo` section holds them (seconds, fractions). */
export type SloTargets = Readonly<
  Record<string, { p95?: number; p99?: number; errorRate?: number }>
>;

export type Status = 'met' | 'missed' | 'no_target' | 'no_data';

export interface PhaseRow {
  step: number;
  name: string;
  label: string;
  plannedMinSeconds: number;
  plannedMaxSeconds?: number;
  actualSeconds?: number;
  status: 'on_schedule' | 'ahead' | 'over' | 'skipped' | 'not_run' | 'rolled_back';
  endedBy?: string;
  percentiles: Percentiles;
  requests: number;
}

export interface EndpointRow {
  route: string;
  requests: number;
  errors: number;
  errorRate: number;
  percentiles: Percentiles;
  targets: { p95?: number; p99?: number; errorRate?: number };
  status: Status;
}

export interface IncidentRow {
  at: string;
  kind: 'rollback' | 'pause' | 'check_failed' | 'port_failure' | 'engine_error' | 'rollback_failed';
  text: string;
}

/**
 * Where the per-endpoint and per-version figures come from: one read of the metric source
 * over the whole rollout, captured when it ended (ADR 0143), or the judge's recorded
 * batches (which leave out seconds straddling weight changes and the tail).
 */
export type MeasuredFrom =
  | { kind: 'whole_rollout'; from: string; to: string; source: string }
  | { kind: 'batches'; reason: string };

export interface PostReleaseReport {
  rolloutId: string;
  service: string;
  version: string;
  previousVersion: string;
  environment: string;
  result: RolloutHistory['result'];
  generatedAt: string;
  window: { from: string; to?: string };
  plannedSeconds: number;
  actualSeconds: number;
  phases: PhaseRow[];
  /** Source of `endpoints` and `overall` (phases, charts and resources: the batches). */
  measured: MeasuredFrom;
  endpoints: EndpointRow[];
  overall: {
    newVersion: { requests: number; errors: number; errorRate: number; percentiles: Percentiles };
    baseline?: { requests: number; errors: number; errorRate: number; percentiles: Percentiles };
    /** New version requests per minute at 100 % vs all requests per minute during the canary. */
    requestsPerMinute?: { full: number; canaryPhase: number };
  };
  resources: {
    gauge: string;
    avg: number;
    peak: number;
    baselineAvg?: number;
    baselinePeak?: number;
  }[];
  incidents: IncidentRow[];
  observations: { at: string; actor: string; text: string }[];
}

export interface PostReleaseInput {
  history: RolloutHistory;
  slo?: SloTargets;
  now: string;
  /** 'inline': the SVGs inside the Markdown; 'files': links to `chartDir/<name>`. */
  charts?: 'inline' | 'files';
  chartDir?: string;
  /** What the versions served over the whole rollout, captured when it ended (ADR 0143). */
  served?: ServedTotals;
  /** Why there is no such capture (shown in the report when falling back to batches). */
  servedError?: string;
}

export interface PostReleaseDocument {
  report: PostReleaseReport;
  markdown: string;
  /** File name → SVG text. */
  charts: Record<string, string>;
}

function stepLabel(step: PlanStep, phase: number): string {
  if (step.kind === 'traffic') return `Phase ${phase} (${step.weight}%)`;
  if (step.kind === 'watch') return `Watch (${step.window})`;
  return step.name;
}

function phaseRows(h: RolloutHistory): PhaseRow[] {
  const rows: PhaseRow[] = [];
  let phase = 0;
  for (const s of h.steps) {
    if (s.step.kind !== 'traffic' && s.step.kind !== 'watch') continue;
    if (s.step.kind === 'traffic') phase += 1;
    const min = s.step.kind === 'traffic' ? s.step.minHoldSeconds : s.step.durationSeconds;
    const max = s.step.kind === 'traffic' ? s.step.maxHoldSeconds : s.step.durationSeconds;
    const actual = stepSeconds(s);
    const status: PhaseRow['status'] =
      s.outcome === 'skipped'
        ? 'skipped'
        : s.outcome === 'rolled_back'
          ? 'rolled_back'
          : actual === undefined
            ? 'not_run'
            : actual < min
              ? 'ahead'
              : max > 0 && actual > max
                ? 'over'
                : 'on_schedule';
    const totals = sumArms(s.batches.map((b) => b.canary));
    rows.push({
      step: s.index,
      name: s.step.name,
      label: stepLabel(s.step, phase),
      plannedMinSeconds: min,
      ...(s.step.kind === 'traffic' ? { plannedMaxSeconds: max } : {}),
      ...(actual === undefined ? {} : { actualSeconds: actual }),
      status,
      ...(s.by === undefined ? {} : { endedBy: s.by }),
      percentiles: percentiles(totals.latency),
      requests: totals.requests,
    });
  }
  return rows;
}

function endpointRows(nv: ArmTotals, slo: SloTargets): EndpointRow[] {
  const routes = [...new Set([...Object.keys(nv.endpoints), ...Object.keys(slo)])].sort();
  return routes.map((route) => {
    const e = nv.endpoints[route];
    const targets = slo[route] ?? {};
    const p = percentiles(e?.latency);
    const errorRate = e && e.requests > 0 ? e.errors / e.requests : 0;
    let status: Status;
    if (!e || e.requests === 0) status = 'no_data';
    else if (
      targets.p95 === undefined &&
      targets.p99 === undefined &&
      targets.errorRate === undefined
    ) {
      status = 'no_target';
    } else {
      const missed =
        (targets.p95 !== undefined && p.p95 !== undefined && p.p95 > targets.p95) ||
        (targets.p99 !== undefined && p.p99 !== undefined && p.p99 > targets.p99) ||
        (targets.errorRate !== undefined && errorRate > targets.errorRate);
      status = missed ? 'missed' : 'met';
    }
    return {
      route,
      requests: e?.requests ?? 0,
      errors: e?.errors ?? 0,
      errorRate,
      percentiles: p,
      targets,
      status,
    };
  });
}

function incidents(h: RolloutHistory): IncidentRow[] {
  const out: IncidentRow[] = [];
  for (const e of h.events) {
    switch (e.type) {
      case 'rollback.started':
        out.push({ at: e.at, kind: 'rollback', text: e.message });
        break;
      case 'rollout.failed':
        out.push({ at: e.at, kind: 'rollback_failed', text: e.message });
        break;
      case 'rollout.paused':
        if (e.data.approval !== true) out.push({ at: e.at, kind: 'pause', text: e.message });
        break;
      case 'check.failed':
        out.push({ at: e.at, kind: 'check_failed', text: e.message });
        break;
      case 'router.call_failed':
      case 'deployer.call_failed':
      case 'check.call_failed':
        out.push({ at: e.at, kind: 'port_failure', text: e.message });
        break;
      case 'engine.error':
        out.push({ at: e.at, kind: 'engine_error', text: e.message });
        break;
    }
  }
  return out;
}

function perMinute(requests: number, seconds: number): number {
  return seconds > 0 ? (requests * 60) / seconds : 0;
}

export function buildPostReleaseReport(input: PostReleaseInput): PostReleaseDocument {
  const h = input.history;
  const batches = allBatches(h);
  const totals = sumBatches(batches);
  const served = input.served;
  // Per-endpoint and per-version figures: the whole-rollout read when captured.
  const nv = served ? sumArms([served.newVersion]) : totals.canary;
  const base = served
    ? served.baseline
      ? sumArms([served.baseline])
      : undefined
    : totals.baseline;
  const measured: MeasuredFrom = served
    ? { kind: 'whole_rollout', from: served.from, to: served.to, source: served.source }
    : {
        kind: 'batches',
        reason: input.servedError ?? 'no whole-rollout capture in the store',
      };
  const phases = phaseRows(h);
  const traffic = batches.filter((b) => b.baseline !== undefined);
  const full = batches.filter((b) => b.baseline === undefined);
  const windowSecs = (list: typeof batches) =>
    list.reduce((s, b) => s + (ms(b.at) - ms(b.windowFrom)) / 1000, 0);
  const canaryPhaseRate = perMinute(
    traffic.reduce((s, b) => s + b.canary.requests + (b.baseline?.requests ?? 0), 0),
    windowSecs(traffic),
  );
  const fullRate = perMinute(sumArms(full.map((b) => b.canary)).requests, windowSecs(full));
  const resources = Object.entries(totals.canary.gauges)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([gauge, g]) => {
      const baseGauge = totals.baseline?.gauges[gauge];
      return {
        gauge,
        avg: g.avg,
        peak: g.peak,
        ...(baseGauge ? { baselineAvg: baseGauge.avg, baselinePeak: baseGauge.peak } : {}),
      };
    });
  const report: PostReleaseReport = {
    rolloutId: h.rolloutId,
    service: h.release.service,
    version: h.release.version,
    previousVersion: h.release.previousVersion,
    environment: h.environment,
    result: h.result,
    generatedAt: input.now,
    window: { from: h.startedAt, ...(h.endedAt ? { to: h.endedAt } : {}) },
    plannedSeconds: h.plan.expectedSeconds,
    actualSeconds: rolloutSeconds(h, input.now),
    phases,
    measured,
    endpoints: endpointRows(nv, input.slo ?? {}),
    overall: {
      newVersion: {
        requests: nv.requests,
        errors: nv.errors,
        errorRate: nv.errorRate,
        percentiles: percentiles(nv.latency),
      },
      ...(base
        ? {
            baseline: {
              requests: base.requests,
              errors: base.errors,
              errorRate: base.errorRate,
              percentiles: percentiles(base.latency),
            },
          }
        : {}),
      ...(traffic.length > 0 && full.length > 0
        ? { requestsPerMinute: { full: fullRate, canaryPhase: canaryPhaseRate } }
        : {}),
    },
    resources,
    incidents: incidents(h),
    observations: h.events
      .filter((e) => e.type === 'observation.added')
      .map((e) => ({ at: e.at, actor: e.actor, text: String(e.data.text ?? e.message) })),
  };
  const charts = buildCharts(h, report);
  return { report, markdown: renderPostReleaseReport(report, charts, input), charts };
}

function buildCharts(h: RolloutHistory, r: PostReleaseReport): Record<string, string> {
  const t0 = ms(h.startedAt);
  const minutes = (iso: string) => (ms(iso) - t0) / 60_000;
  const batches = allBatches(h);
  const rate = (a: { requests: number; errors: number }) =>
    a.requests > 0 ? a.errors / a.requests : 0;
  const errorRate = lineChartSvg({
    title: `${r.service} ${r.version}: error rate, new version vs baseline`,
    series: [
      {
        name: `${r.version} (new)`,
        points: batches.map((b) => ({ x: minutes(b.at), y: rate(b.canary) })),
      },
      {
        name: `${r.previousVersion} (baseline)`,
        points: batches.flatMap((b) =>
          b.baseline ? [{ x: minutes(b.at), y: rate(b.baseline) }] : [],
        ),
      },
    ],
    xFormat: (x) => `+${Math.round(x)} min`,
    yFormat: (y) => percent(y),
    markers: h.steps
      .filter(
        (s) => s.startedAt !== undefined && (s.step.kind === 'traffic' || s.step.kind === 'watch'),
      )
      .map((s) => ({
        x: minutes(s.startedAt as string),
        label: s.step.kind === 'traffic' ? `${s.step.weight}%` : 'watch',
      })),
  });
  const latencyChart = barChartSvg({
    title: `${r.service} ${r.version}: latency percentiles per phase`,
    seriesNames: ['p50', 'p95', 'p99'],
    groups: r.phases
      .filter((p) => p.requests > 0)
      .map((p) => ({
        label: p.label,
        values: { p50: p.percentiles.p50, p95: p.percentiles.p95, p99: p.percentiles.p99 },
      })),
    yFormat: (y) => latency(y),
  });
  return {
    [`${r.rolloutId}-error-rate.svg`]: errorRate,
    [`${r.rolloutId}-latency-by-phase.svg`]: latencyChart,
  };
}
