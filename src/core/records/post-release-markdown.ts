/**
 * The post-release report (post-release-report.ts) as Markdown, in seed 004's order:
 * summary, timeline performance, latency and error rates vs targets and baseline,
 * resources, charts, incidents, observations, sign-off.
 */
import type {
  PhaseRow,
  PostReleaseInput,
  PostReleaseReport,
  Status,
} from './post-release-report.js';
import {
  count,
  day,
  duration,
  hhmm,
  isoSeconds,
  latency,
  percent,
  shortDuration,
  table,
} from './record-format.js';

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

/** Where the endpoint and version figures come from (ADR 0143). */
function measuredWords(r: PostReleaseReport): string {
  const m = r.measured;
  if (m.kind === 'whole_rollout') {
    return `_Requests, errors and percentiles per endpoint and per version: one read of ${m.source} over the whole rollout (${isoSeconds(m.from)} to ${isoSeconds(m.to)}), every request it counted._`;
  }
  return `_Requests, errors and percentiles per endpoint and per version: the judge's recorded batches (${m.reason}); they leave out seconds that straddle a weight change and the time after the last batch._`;
}

export function renderPostReleaseReport(
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
    measuredWords(r),
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
