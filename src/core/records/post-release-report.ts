/**
 * The post-release report (seed 004's structure), from what was measured: phases planned
 * vs actual, per-endpoint p50/p95/p99 (cumulative histograms) and error rates vs the
 * service's SLO targets, request volume and error rate vs the baseline, resource gauges,
 * incidents, and two SVG charts. Markdown plus a JSON-serialisable value alongside.
 */
import type { PlanStep } from '../plan/plan-types.js';
import { type ArmTotals, sumArms, sumBatches } from './arm-totals.js';
import { type Percentiles, percentiles } from './latency-histogram.js';
import {
  count,
  day,
  duration,
  hhmm,
  latency,
  ms,
  percent,
  shortDuration,
  table,
} from './record-format.js';
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
  const nv = totals.canary;
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
  const resources = Object.entries(nv.gauges)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([gauge, g]) => {
      const base = totals.baseline?.gauges[gauge];
      return {
        gauge,
        avg: g.avg,
        peak: g.peak,
        ...(base ? { baselineAvg: base.avg, baselinePeak: base.peak } : {}),
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
    endpoints: endpointRows(nv, input.slo ?? {}),
    overall: {
      newVersion: {
        requests: nv.requests,
        errors: nv.errors,
        errorRate: nv.errorRate,
        percentiles: percentiles(nv.latency),
      },
      ...(totals.baseline
        ? {
            baseline: {
              requests: totals.baseline.requests,
              errors: totals.baseline.errors,
              errorRate: totals.baseline.errorRate,
              percentiles: percentiles(totals.baseline.latency),
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
  return { report, markdown: render(report, charts, input), charts };
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

const PHASE_STATUS: Record<PhaseRow['status'], string> = {
  on_schedule: '✅ On schedule',
  ahead: '✅ Ahead of schedule',
  over: '⚠️ Over the planned time',
  skipped: '⏭️ Skipped',
  not_run: '— Not run',
  rolled_back: '🚨 Rolled back',
};

const STATUS: Record<Status, string> = {
  met: '✅ Met',
  missed: '❌ Missed',
  no_target: '— No target',
  no_data: '— No data',
};

function opt(v: number | undefined, f: (x: number) => string): string {
  return v === undefined ? '—' : f(v);
}

function target(v: number | undefined, f: (x: number) => string): string {
  return v === undefined ? '—' : `<${f(v)}`;
}

function watchWords(r: PostReleaseReport): string {
  const watches = r.phases.filter((p) => p.label.startsWith('Watch'));
  if (watches.length === 0) return 'no post-release watch in the plan';
  const total = watches.reduce((sum, p) => sum + (p.actualSeconds ?? 0), 0);
  return `${duration(total)} post-deployment (${watches.map((w) => w.name).join(', ')})`;
}

function render(
  r: PostReleaseReport,
  charts: Record<string, string>,
  input: PostReleaseInput,
): string {
  const resultWords =
    r.result === 'success'
      ? 'was deployed successfully'
      : r.result === 'rollback'
        ? `was rolled back to ${r.previousVersion}`
        : r.result === 'partial'
          ? 'ended with a FAILED rollback'
          : 'is still rolling out';
  const diff = r.plannedSeconds - r.actualSeconds;
  const schedule =
    r.result !== 'success'
      ? ''
      : Math.abs(diff) < 60
        ? ' on schedule'
        : diff > 0
          ? ` ${shortDuration(diff)} ahead of the planned time`
          : ` ${shortDuration(-diff)} over the planned time`;
  const missed = r.endpoints.filter((e) => e.status === 'missed');
  const withTargets = r.endpoints.filter((e) => e.status === 'met' || e.status === 'missed');
  const nv = r.overall.newVersion;
  const base = r.overall.baseline;
  const rpm = r.overall.requestsPerMinute;
  const chartRef = (name: string, alt: string) =>
    (input.charts ?? 'inline') === 'inline'
      ? (charts[name] ?? '').trim()
      : `![${alt}](${input.chartDir ?? 'charts'}/${name})`;
  const [errorChart, latencyChart] = Object.keys(charts);
  const lines = [
    `# ${r.service} ${r.version} Post-Release Report`,
    '',
    `**Release Date**: ${day(r.window.from)}  `,
    `**Deployment Window**: ${hhmm(r.window.from)} - ${r.window.to ? hhmm(r.window.to) : 'in progress'} UTC  `,
    `**Environment**: ${r.environment}  `,
    `**Report Generated**: ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC  `,
    `**Stability Period**: ${watchWords(r)}  `,
    `**Replaces**: ${r.previousVersion}`,
    '',
    '## Executive Summary',
    '',
    `${r.service} ${r.version} ${resultWords}${schedule} (${duration(r.actualSeconds)}; planned ${duration(r.plannedSeconds)}). The new version served ${count(nv.requests)} measured requests at an error rate of ${percent(nv.errorRate)}${base ? ` (baseline ${percent(base.errorRate)})` : ''}; ${withTargets.length === 0 ? 'no endpoint has an SLO target' : missed.length === 0 ? `all ${withTargets.length} endpoints with SLO targets met them` : `${missed.length} of ${withTargets.length} endpoints with SLO targets missed them (${missed.map((m) => m.route).join(', ')})`}. ${r.incidents.length === 0 ? 'No incidents.' : `${r.incidents.length} incident${r.incidents.length === 1 ? '' : 's'} (see below).`}`,
    '',
    '---',
    '',
    '## Deployment Metrics',
    '',
    '### Timeline Performance',
    '',
    ...table(
      ['Phase', 'Planned Duration', 'Actual Duration', 'Ended by', 'Status'],
      [
        ...r.phases.map((p) => [
          `**${p.label}**`,
          p.plannedMaxSeconds === 0
            ? 'Ongoing'
            : p.plannedMaxSeconds !== undefined && p.plannedMaxSeconds !== p.plannedMinSeconds
              ? `${shortDuration(p.plannedMinSeconds)}-${shortDuration(p.plannedMaxSeconds)}`
              : shortDuration(p.plannedMinSeconds),
          opt(p.actualSeconds, shortDuration),
          p.endedBy ?? '—',
          PHASE_STATUS[p.status],
        ]),
        [
          '**Total**',
          shortDuration(r.plannedSeconds),
          shortDuration(r.actualSeconds),
          '—',
          r.result === 'success' ? '✅ Completed' : `🚨 ${r.result}`,
        ],
      ],
    ),
    '',
    '### Performance Metrics',
    '',
    `#### Latency (p50/p95/p99) - ${r.version}, whole rollout`,
    '',
    ...table(
      ['Endpoint', 'p50', 'p95 Actual', 'p95 Target', 'p99 Actual', 'p99 Target', 'Status'],
      [
        ...r.endpoints.map((e) => [
          `**${e.route}**`,
          opt(e.percentiles.p50, latency),
          opt(e.percentiles.p95, latency),
          target(e.targets.p95, latency),
          opt(e.percentiles.p99, latency),
          target(e.targets.p99, latency),
          STATUS[e.status],
        ]),
        [
          '**All endpoints**',
          opt(nv.percentiles.p50, latency),
          opt(nv.percentiles.p95, latency),
          '—',
          opt(nv.percentiles.p99, latency),
          '—',
          base?.percentiles.p99 !== undefined
            ? `baseline p99 ${latency(base.percentiles.p99)}`
            : '—',
        ],
      ],
    ),
    '',
    '#### Request Volume & Error Rates',
    '',
    ...table(
      ['Metric', 'Value', 'Baseline', 'Status'],
      [
        [
          '**Requests on the new version**',
          count(nv.requests),
          base ? `${count(base.requests)} on ${r.previousVersion} during the canary` : '—',
          '—',
        ],
        ...(rpm
          ? [
              [
                '**Request rate at 100 %**',
                `${count(rpm.full)}/min`,
                `${count(rpm.canaryPhase)}/min during the canary`,
                rpm.canaryPhase > 0
                  ? `${rpm.full >= rpm.canaryPhase ? '+' : ''}${percent((rpm.full - rpm.canaryPhase) / rpm.canaryPhase)} vs baseline`
                  : '—',
              ],
            ]
          : []),
        [
          '**Overall error rate**',
          percent(nv.errorRate),
          base ? percent(base.errorRate) : '—',
          base
            ? nv.errorRate <= base.errorRate
              ? '✅ Stable or improved'
              : `⚠️ +${percent(nv.errorRate - base.errorRate)}`
            : '—',
        ],
        ...r.endpoints.map((e) => [
          `**${e.route} errors**`,
          `${percent(e.errorRate)} (${count(e.errors)} of ${count(e.requests)})`,
          target(e.targets.errorRate, percent),
          e.targets.errorRate === undefined
            ? '—'
            : e.errorRate <= e.targets.errorRate
              ? '✅ Met'
              : '❌ Missed',
        ]),
      ],
    ),
    '',
    '### Resource Utilization',
    '',
    ...(r.resources.length === 0
      ? ['No resource gauges were measured.']
      : table(
          ['Gauge', 'Average', 'Peak', 'Baseline average', 'Baseline peak'],
          r.resources.map((g) => [
            `**${g.gauge}**`,
            percent(g.avg),
            percent(g.peak),
            opt(g.baselineAvg, percent),
            opt(g.baselinePeak, percent),
          ]),
        )),
    '',
    '### Charts',
    '',
    errorChart ? chartRef(errorChart, 'Error rate, new version vs baseline') : '',
    '',
    latencyChart ? chartRef(latencyChart, 'Latency percentiles per phase') : '',
    '',
    '---',
    '',
    '## Incidents & Issues',
    '',
    `**Total Incidents**: ${r.incidents.length}${r.incidents.length === 0 ? ' ✅' : ''}`,
    '',
    ...r.incidents.map(
      (i) => `- **${i.at.slice(11, 19)}** (${i.kind.replace('_', ' ')}) ${i.text}`,
    ),
    ...(r.incidents.length > 0 ? [''] : []),
    '### Post-Deployment Observations',
    '',
    ...(r.observations.length === 0
      ? ['None recorded.']
      : r.observations.map((o) => `- **${hhmm(o.at)}** - \`${o.actor}\` - ${o.text}`)),
    '',
    '---',
    '',
    '## Lessons Learned',
    '',
    '_(to be filled in by the team)_',
    '',
    '## Sign-off',
    '',
    ...table(
      ['Role', 'Name', 'Date'],
      [
        ['**Release Manager**', '', ''],
        ['**Engineering Manager**', '', ''],
        ['**SRE Lead**', '', ''],
      ],
    ),
    '',
  ];
  return lines.join('\n');
}
