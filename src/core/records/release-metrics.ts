/**
 * Release metrics per service and period with the 2024 DORA definitions and performance
 * bands (ADR 0082): deployment frequency, change lead time, change fail rate, failed
 * deployment recovery time, deployment rework rate, and rollback rate. Pure: histories
 * and the period in, figures out.
 */
import { RollgateError } from '../errors/rollgate-error.js';
import { incidentTimes } from './incident-times.js';
import { count, duration, median, ms, percent, table } from './record-format.js';
import type { RolloutHistory } from './rollout-history.js';

export type DoraBand = 'elite' | 'high' | 'medium' | 'low';

export interface MetricsInput {
  histories: readonly RolloutHistory[];
  /** Only this service (all services when absent). */
  service?: string;
  /** Environment that counts as production (default "production"). */
  environment?: string;
  /** Period [from, to), ISO 8601: deployments started in it count. */
  from: string;
  to: string;
}

export interface Deployment {
  rolloutId: string;
  service: string;
  version: string;
  type: string;
  startedAt: string;
  endedAt: string;
  result: 'success' | 'rollback' | 'partial';
  /** A patch release: by the release guide's definition a hotfix, i.e. unplanned rework. */
  rework: boolean;
  /** Failed, or completed and later remediated by a rework deployment. */
  failed: boolean;
  leadTimeSeconds?: number;
  recoverySeconds?: number;
}

export interface ReleaseMetrics {
  service?: string;
  environment: string;
  from: string;
  to: string;
  deployments: number;
  successful: number;
  deploymentFrequency: { perDay: number; perWeek: number; band?: DoraBand };
  changeLeadTime: { medianSeconds?: number; samples: number; band?: DoraBand };
  changeFailRate: { rate?: number; failed: number; band?: DoraBand };
  recoveryTime: { medianSeconds?: number; samples: number; band?: DoraBand };
  reworkRate: { rate?: number; rework: number };
  rollbackRate: { rate?: number; rolledBack: number };
  list: Deployment[];
}

const DAY = 86_400;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

/** Deployment frequency band from deployments per day. */
export function frequencyBand(perDay: number): DoraBand {
  if (perDay >= 1) return 'elite';
  if (perDay * 7 >= 1) return 'high';
  if (perDay * 30 >= 1) return 'medium';
  return 'low';
}

export function leadTimeBand(seconds: number): DoraBand {
  if (seconds < DAY) return 'elite';
  if (seconds < WEEK) return 'high';
  if (seconds < MONTH) return 'medium';
  return 'low';
}

/**
 * The 2024 clusters quote one change fail rate each (elite 5 %, medium 10 %, high 20 %,
 * low 40 %); a rate falls in the cluster whose figure is nearest.
 */
export function changeFailBand(rate: number): DoraBand {
  const clusters: [DoraBand, number][] = [
    ['elite', 0.05],
    ['medium', 0.1],
    ['high', 0.2],
    ['low', 0.4],
  ];
  let best: [DoraBand, number] = clusters[0] as [DoraBand, number];
  for (const c of clusters) {
    if (Math.abs(rate - c[1]) < Math.abs(rate - best[1])) best = c;
  }
  return best[0];
}

export function recoveryBand(seconds: number): DoraBand {
  if (seconds < 3600) return 'elite';
  if (seconds < DAY) return 'high';
  if (seconds < WEEK) return 'medium';
  return 'low';
}

function finished(h: RolloutHistory): h is RolloutHistory & { endedAt: string } {
  return h.result !== 'in_progress' && h.endedAt !== undefined;
}

export function releaseMetrics(input: MetricsInput): ReleaseMetrics {
  const env = input.environment ?? 'production';
  const from = ms(input.from);
  const to = ms(input.to);
  const all = input.histories
    .filter(finished)
    .filter((h) => h.environment === env)
    .filter((h) => input.service === undefined || h.release.service === input.service)
    .sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
  const list: Deployment[] = all.map((h) => {
    const result = h.result as Deployment['result'];
    const lead =
      result === 'success' && h.release.commitAt !== undefined
        ? (ms(h.endedAt) - ms(h.release.commitAt)) / 1000
        : undefined;
    let recovery: number | undefined;
    if (result === 'rollback') {
      const t = incidentTimes(h);
      if (t.restoredAt) recovery = (ms(t.restoredAt) - ms(t.detectedAt)) / 1000;
    }
    return {
      rolloutId: h.rolloutId,
      service: h.release.service,
      version: h.release.version,
      type: h.release.type,
      startedAt: h.startedAt,
      endedAt: h.endedAt,
      result,
      rework: h.release.type === 'patch',
      failed: result !== 'success',
      ...(lead === undefined ? {} : { leadTimeSeconds: lead }),
      ...(recovery === undefined ? {} : { recoverySeconds: recovery }),
    };
  });
  // A successful deployment that a later rework deployment of the same service replaced
  // (the patch's previous version is its version) needed remediation: a change failure,
  // recovered when the rework completed.
  for (const d of list) {
    if (!d.rework || d.result !== 'success') continue;
    const h = all.find((x) => x.rolloutId === d.rolloutId);
    const fixed = list.find(
      (x) =>
        x.service === d.service &&
        x.result === 'success' &&
        x.version === h?.release.previousVersion &&
        ms(x.endedAt) <= ms(d.startedAt),
    );
    if (fixed && !fixed.failed) {
      fixed.failed = true;
      fixed.recoverySeconds = (ms(d.endedAt) - ms(fixed.endedAt)) / 1000;
    }
  }
  const inPeriod = list.filter((d) => ms(d.startedAt) >= from && ms(d.startedAt) < to);
  const n = inPeriod.length;
  const days = Math.max(1e-9, (to - from) / 1000 / DAY);
  const perDay = n / days;
  const leads = inPeriod.flatMap((d) =>
    d.leadTimeSeconds === undefined ? [] : [d.leadTimeSeconds],
  );
  const recoveries = inPeriod.flatMap((d) =>
    d.recoverySeconds === undefined ? [] : [d.recoverySeconds],
  );
  const failed = inPeriod.filter((d) => d.failed).length;
  const rework = inPeriod.filter((d) => d.rework).length;
  const rolledBack = inPeriod.filter((d) => d.result === 'rollback').length;
  const leadMedian = median(leads);
  const recoveryMedian = median(recoveries);
  const rate = (k: number) => (n > 0 ? k / n : undefined);
  const cfr = rate(failed);
  return {
    ...(input.service === undefined ? {} : { service: input.service }),
    environment: env,
    from: input.from,
    to: input.to,
    deployments: n,
    successful: inPeriod.filter((d) => d.result === 'success').length,
    deploymentFrequency: {
      perDay,
      perWeek: perDay * 7,
      ...(n > 0 ? { band: frequencyBand(perDay) } : {}),
    },
    changeLeadTime: {
      ...(leadMedian === undefined
        ? {}
        : { medianSeconds: leadMedian, band: leadTimeBand(leadMedian) }),
      samples: leads.length,
    },
    changeFailRate: {
      ...(cfr === undefined ? {} : { rate: cfr, band: changeFailBand(cfr) }),
      failed,
    },
    recoveryTime: {
      ...(recoveryMedian === undefined
        ? {}
        : { medianSeconds: recoveryMedian, band: recoveryBand(recoveryMedian) }),
      samples: recoveries.length,
    },
    reworkRate: { ...(rate(rework) === undefined ? {} : { rate: rate(rework) as number }), rework },
    rollbackRate: {
      ...(rate(rolledBack) === undefined ? {} : { rate: rate(rolledBack) as number }),
      rolledBack,
    },
    list: inPeriod,
  };
}

function band(b: DoraBand | undefined): string {
  return b === undefined ? '—' : b[0]?.toUpperCase() + b.slice(1);
}

/** The metrics as a Markdown section (seed 003's "Release Success Metrics"). */
export function renderReleaseMetrics(m: ReleaseMetrics): string {
  const f = (v: number) => (Math.round(v * 100) / 100).toString();
  const rows = [
    [
      'Deployment frequency',
      `${f(m.deploymentFrequency.perWeek)} per week (${count(m.deployments)} in the period)`,
      band(m.deploymentFrequency.band),
    ],
    [
      'Change lead time (median)',
      m.changeLeadTime.medianSeconds === undefined
        ? 'no commit times'
        : `${duration(m.changeLeadTime.medianSeconds)} over ${m.changeLeadTime.samples}`,
      band(m.changeLeadTime.band),
    ],
    [
      'Change fail rate',
      m.changeFailRate.rate === undefined
        ? '—'
        : `${percent(m.changeFailRate.rate)} (${m.changeFailRate.failed} of ${m.deployments})`,
      band(m.changeFailRate.band),
    ],
    [
      'Failed deployment recovery time (median)',
      m.recoveryTime.medianSeconds === undefined
        ? '—'
        : `${duration(m.recoveryTime.medianSeconds)} over ${m.recoveryTime.samples}`,
      band(m.recoveryTime.band),
    ],
    [
      'Deployment rework rate',
      m.reworkRate.rate === undefined
        ? '—'
        : `${percent(m.reworkRate.rate)} (${m.reworkRate.rework} of ${m.deployments})`,
      '—',
    ],
    [
      'Rollback rate',
      m.rollbackRate.rate === undefined
        ? '—'
        : `${percent(m.rollbackRate.rate)} (${m.rollbackRate.rolledBack} of ${m.deployments})`,
      '—',
    ],
  ];
  return [
    `## Release Metrics${m.service ? `: ${m.service}` : ''} (${m.environment}, ${m.from.slice(0, 10)} to ${m.to.slice(0, 10)})`,
    '',
    ...table(['Metric', 'Value', 'DORA 2024 band'], rows),
    '',
  ].join('\n');
}

/** The metrics of every service in the histories over one period, by service name. */
export function releaseMetricsByService(
  input: Omit<MetricsInput, 'service'>,
): Record<string, ReleaseMetrics> {
  const services = [...new Set(input.histories.map((h) => h.release.service))].sort();
  const out: Record<string, ReleaseMetrics> = {};
  for (const service of services) out[service] = releaseMetrics({ ...input, service });
  return out;
}

const SINCE = /^(\d+)\s*(h|d|w)$/;

/**
 * A period ending at `now` from a CLI-style length ("30d", "12h", "4w"); throws on
 * anything else, saying what is accepted.
 */
export function periodSince(since: string, now: string): { from: string; to: string } {
  const m = SINCE.exec(since.trim());
  if (!m) {
    throw new RollgateError('invalid_input', `--since "${since}" is not a period`, {
      hint: 'use a number and a unit: 12h, 30d or 4w',
    });
  }
  const hours = Number(m[1]) * (m[2] === 'h' ? 1 : m[2] === 'd' ? 24 : 168);
  return { from: new Date(ms(now) - hours * 3_600_000).toISOString(), to: now };
}
