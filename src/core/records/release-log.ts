/**
 * The release log (seed 000): one entry per rollout — risk level, duration, result, the
 * timeline of observations and decisions, key learnings and action items — and the whole
 * log of a service as one Markdown document, newest first, closed by a quick reference
 * computed from the history (typical duration per risk level, common rollback reasons).
 */

import { gateIndicator } from './gate-words.js';
import { capital, day, duration, hhmm, median, ms } from './record-format.js';
import { observationNotes, releaseTimeline, type TimelineLine } from './release-timeline.js';
import type { ReleaseResult, RolloutHistory } from './rollout-history.js';
import { rolloutSeconds, stepSeconds } from './rollout-history.js';

/** What people add after the fact (stored as events or in the store's table). */
export interface ReleaseAnnotations {
  learnings?: readonly string[];
  actionItems?: readonly string[];
}

export interface ReleaseLogEntry {
  rolloutId: string;
  service: string;
  version: string;
  environment: string;
  date: string;
  risk: string;
  durationSeconds: number;
  result: ReleaseResult;
  rollbackReason?: string;
  timeline: TimelineLine[];
  learnings: string[];
  actionItems: string[];
}

const RESULT_WORDS: Record<ReleaseResult, string> = {
  success: 'Success',
  rollback: 'Rollback',
  partial: 'Partial',
  in_progress: 'In progress',
};

export function releaseLogEntry(
  h: RolloutHistory,
  annotations: ReleaseAnnotations = {},
  now?: string,
): ReleaseLogEntry {
  const notes = observationNotes(h);
  return {
    rolloutId: h.rolloutId,
    service: h.release.service,
    version: h.release.version,
    environment: h.environment,
    date: day(h.startedAt),
    risk: h.release.risk,
    durationSeconds: rolloutSeconds(h, now),
    result: h.result,
    ...(h.rollback ? { rollbackReason: h.rollback.reason } : {}),
    timeline: releaseTimeline(h),
    learnings: [...notes.learnings, ...(annotations.learnings ?? [])],
    actionItems: [...notes.actionItems, ...(annotations.actionItems ?? [])],
  };
}

const TO_FILL = '_(to be filled in by the team)_';

/** One entry in seed 000's format. */
export function renderReleaseLogEntry(e: ReleaseLogEntry): string {
  const dur =
    e.result === 'rollback'
      ? `${duration(e.durationSeconds)} (rollback)`
      : e.result === 'in_progress'
        ? `${duration(e.durationSeconds)} so far`
        : duration(e.durationSeconds);
  const lines = [
    `### Release: ${e.service} - ${e.version} - ${e.date}`,
    '',
    `**Risk Level:** ${capital(e.risk)}`,
    `**Duration:** ${dur}`,
    `**Result:** ${RESULT_WORDS[e.result]}`,
    '',
    '**Timeline:**',
    '',
    ...e.timeline.map((l) => `- **${hhmm(l.at)}** - \`${l.actor}\` - ${l.text}`),
    '',
    '**Key Learnings:**',
    '',
    ...(e.learnings.length > 0 ? e.learnings.map((l) => `- ${l}`) : [`- ${TO_FILL}`]),
    '',
    '**Action Items:**',
    '',
    ...(e.actionItems.length > 0 ? e.actionItems.map((l) => `- ${l}`) : [`- ${TO_FILL}`]),
    '',
    '---',
    '',
  ];
  return lines.join('\n');
}

export interface RiskTimeline {
  risk: string;
  releases: number;
  minSeconds: number;
  maxSeconds: number;
  medianSeconds: number;
  /** Median seconds per phase: canary (< 100 %), full (100 % and the stable deploy), verification (watch). */
  phases: { canary?: number; full?: number; verification?: number };
}

export interface RollbackReason {
  /** The gate that decided, or the trigger ("person", "check"). */
  key: string;
  count: number;
  /** The most recent reason given, as an example. */
  example: string;
}

export interface QuickReference {
  rollbackReasons: RollbackReason[];
  timelines: RiskTimeline[];
  /** What the newest rollout's policy gates call healthy. */
  indicators: string[];
}

function phaseSeconds(h: RolloutHistory): RiskTimeline['phases'] {
  let canary = 0;
  let full = 0;
  let verification = 0;
  for (const s of h.steps) {
    const sec = stepSeconds(s) ?? 0;
    if (s.step.kind === 'traffic') {
      if (s.step.weight < 100) canary += sec;
      else full += sec;
    } else if (s.step.kind === 'deploy' && s.step.target === 'stable') full += sec;
    else if (s.step.kind === 'watch') verification += sec;
  }
  return { canary, full, verification };
}

const RISK_ORDER = ['low', 'medium', 'high'];

/** Quick reference figures from the history (successful releases for the timelines). */
export function quickReference(histories: readonly RolloutHistory[]): QuickReference {
  const reasons = new Map<string, RollbackReason>();
  const byStart = [...histories].sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
  for (const h of byStart) {
    if (!h.rollback) continue;
    const key = h.rollback.decidedBy ?? h.rollback.trigger;
    const r = reasons.get(key) ?? { key, count: 0, example: '' };
    r.count += 1;
    r.example = h.rollback.reason;
    reasons.set(key, r);
  }
  const timelines: RiskTimeline[] = [];
  const risks = [...new Set(histories.map((h) => h.release.risk))].sort(
    (a, b) => RISK_ORDER.indexOf(a) - RISK_ORDER.indexOf(b),
  );
  for (const risk of risks) {
    const done = histories.filter((h) => h.release.risk === risk && h.result === 'success');
    if (done.length === 0) continue;
    const secs = done.map((h) => rolloutSeconds(h));
    const phases = done.map(phaseSeconds);
    const med = (k: keyof RiskTimeline['phases']) =>
      median(phases.map((p) => p[k]).filter((v): v is number => v !== undefined));
    const canary = med('canary');
    const full = med('full');
    const verification = med('verification');
    timelines.push({
      risk,
      releases: done.length,
      minSeconds: Math.min(...secs),
      maxSeconds: Math.max(...secs),
      medianSeconds: median(secs) ?? 0,
      phases: {
        ...(canary === undefined ? {} : { canary }),
        ...(full === undefined ? {} : { full }),
        ...(verification === undefined ? {} : { verification }),
      },
    });
  }
  const newest = byStart[byStart.length - 1];
  const indicators = newest
    ? [
        ...new Set(
          newest.plan.judge.gates.map((g) => gateIndicator(g, newest.plan.judge.criticalEndpoints)),
        ),
      ]
    : [];
  return {
    indicators,
    rollbackReasons: [...reasons.values()].sort(
      (a, b) => b.count - a.count || (a.key < b.key ? -1 : 1),
    ),
    timelines,
  };
}

function minutes(seconds: number): string {
  return `${Math.round(seconds / 60)}`;
}

export function renderQuickReference(q: QuickReference): string {
  const lines = ['## Quick Reference', '', '### Common Rollback Reasons', ''];
  if (q.rollbackReasons.length === 0) lines.push('- No rollbacks in this log yet');
  for (const r of q.rollbackReasons) {
    lines.push(`- ${r.key} (${r.count}×) — e.g. "${r.example}"`);
  }
  lines.push('', '### Typical Timeline Patterns', '');
  if (q.timelines.length === 0) lines.push('- No successful releases in this log yet');
  for (const t of q.timelines) {
    const range =
      t.minSeconds === t.maxSeconds
        ? `${minutes(t.minSeconds)} minutes`
        : `${minutes(t.minSeconds)}-${minutes(t.maxSeconds)} minutes`;
    const p = t.phases;
    const parts = [
      p.canary === undefined ? undefined : `${minutes(p.canary)}min canary`,
      p.full === undefined ? undefined : `${minutes(p.full)}min full`,
      p.verification === undefined ? undefined : `${minutes(p.verification)}min verification`,
    ].filter((x) => x !== undefined);
    lines.push(
      `- **${capital(t.risk)} Risk:** ${range} (median ${minutes(t.medianSeconds)} min over ${t.releases} release${t.releases === 1 ? '' : 's'}; ${parts.join(', ')})`,
    );
  }
  if (q.indicators.length > 0) {
    lines.push(
      '',
      '### Successful Deployment Indicators',
      '',
      ...q.indicators.map((i) => `- ${i}`),
    );
  }
  lines.push('');
  return lines.join('\n');
}

export interface ReleaseLogInput {
  service: string;
  histories: readonly RolloutHistory[];
  /** rolloutId → what people added. */
  annotations?: Readonly<Record<string, ReleaseAnnotations>>;
  /** When the log is rendered (ISO 8601); in-flight durations run to it. */
  now: string;
}

export interface ReleaseLogDocument {
  markdown: string;
  entries: ReleaseLogEntry[];
  quickReference: QuickReference;
}

/** The whole log of one service, newest first. */
export function buildReleaseLog(input: ReleaseLogInput): ReleaseLogDocument {
  const mine = input.histories
    .filter((h) => h.release.service === input.service)
    .sort((a, b) => ms(b.startedAt) - ms(a.startedAt));
  const entries = mine.map((h) => releaseLogEntry(h, input.annotations?.[h.rolloutId], input.now));
  const q = quickReference(mine);
  const markdown = [
    `# Post-Release Observations Log: ${input.service}`,
    '',
    '*A chronological log of every release of this service, written by rollgate from the rollout timeline. Add observations with `rollgate release observe`.*',
    '',
    '🛡️ **BLAMELESS LEARNING ZONE** 🛡️',
    'This log is for learning and pattern recognition, not fault attribution.',
    '',
    `*Generated ${input.now.slice(0, 16).replace('T', ' ')} UTC from ${entries.length} release${entries.length === 1 ? '' : 's'}.*`,
    '',
    '---',
    '',
    ...entries.map(renderReleaseLogEntry),
    renderQuickReference(q),
  ].join('\n');
  return { markdown, entries, quickReference: q };
}
