/**
 * The post-mortem draft (seed 001) of a rollback, pre-filled from the timeline: incident
 * id, versions, duration, impact in requests and errors the bad version actually served,
 * an ISO 8601 timeline, detection / notification / resolution times, the judge's evidence,
 * the 48-hour compliance checklist; root cause, 5 Whys, contributing factors, data
 * integrity and action items are left for people (post-mortem-parse.ts reads them back).
 */
import type { Finding } from '../judge/judge-types.js';
import type { TimelineEvent } from '../rollout/rollout-types.js';
import {
  type Impact,
  type IncidentTimes,
  incidentImpact,
  incidentTimes,
  type NotificationDelivery,
  type ServedTotals,
} from './incident-times.js';
import { count, day, duration, isoSeconds, ms, percent, sentence, table } from './record-format.js';
import type { RolloutHistory } from './rollout-history.js';

/** Marks a place a person fills in; the parser reports sections still holding it. */
export const TO_FILL = '_(to fill)_';

export const POST_MORTEM_DEADLINE_HOURS = 48;

export interface PostMortemTimelineRow {
  at: string;
  event: string;
  details: string;
  key: boolean;
}

export interface PostMortemDraft {
  incidentId: string;
  rolloutId: string;
  service: string;
  environment: string;
  date: string;
  failedVersion: string;
  restoredVersion: string;
  reason: string;
  trigger: string;
  decidedBy?: string;
  times: IncidentTimes;
  /** Seconds from deploy start to rollback complete (or to the failed rollback). */
  durationSeconds: number;
  detectionSeconds: number;
  notificationSeconds?: number;
  resolutionSeconds?: number;
  impact: Impact;
  findings: Finding[];
  timeline: PostMortemTimelineRow[];
  markdown: string;
}

export interface PostMortemInput {
  history: RolloutHistory;
  /** e.g. a GitHub issue number; default `PM-<rolloutId>`. */
  incidentId?: string;
  deliveries?: readonly NotificationDelivery[];
  /** Where the forensics bundle is written, for the appendix. */
  forensicsPath?: string;
  deadlineHours?: number;
  /** What the versions served over the whole exposure (the forensics capture's `served`). */
  served?: ServedTotals;
}

function row(e: TimelineEvent, event: string, details: string, key = false): PostMortemTimelineRow {
  return { at: e.at, event, details, key };
}

function timelineRows(h: RolloutHistory): PostMortemTimelineRow[] {
  const rows: PostMortemTimelineRow[] = [];
  for (const e of h.events) {
    const d = e.data;
    const step = typeof d.step === 'number' ? h.steps[d.step]?.step : undefined;
    const label = step ? `'${step.name}'` : '';
    switch (e.type) {
      case 'rollout.created':
        rows.push(
          row(e, 'Deployment triggered', `${h.release.version} by ${e.actor}: ${e.message}`),
        );
        break;
      case 'rollout.started':
        rows.push(
          row(e, 'Rollout started', `replaces ${h.release.previousVersion} (rollback target)`),
        );
        break;
      case 'step.started':
        if (step?.kind === 'traffic' || step?.kind === 'watch') {
          rows.push(
            row(
              e,
              `Step ${label} started`,
              step.kind === 'traffic' ? `canary weight ${step.weight} %` : `watch ${step.window}`,
            ),
          );
        }
        break;
      case 'step.completed':
        rows.push(row(e, `Step ${label} completed`, String(d.reason ?? '')));
        break;
      case 'deployer.deployed':
        rows.push(row(e, `Deployed to ${String(d.target)}`, e.message));
        break;
      case 'check.passed':
      case 'check.failed':
        rows.push(
          row(
            e,
            e.type === 'check.failed'
              ? `**Check '${String(d.check)}' failed**`
              : `Check '${String(d.check)}' passed`,
            String(d.message),
            e.type === 'check.failed',
          ),
        );
        break;
      case 'router.weight_set':
        rows.push(row(e, 'Router weight set', `${String(d.weight)} % (${String(d.reason)})`));
        break;
      case 'judge.verdict':
      case 'watch.sample': {
        const dec = String(d.decision);
        if (dec === 'pause' || dec === 'rollback' || dec === 'halt') {
          rows.push(row(e, `**Judge: ${dec}**`, String(d.reason ?? e.message), true));
        }
        break;
      }
      case 'rollout.paused':
        rows.push(row(e, 'Rollout paused', String(d.reason)));
        break;
      case 'rollout.resumed':
        rows.push(row(e, 'Rollout resumed', `by ${e.actor}`));
        break;
      case 'rollback.started':
        rows.push(
          row(e, '**Rollback initiated**', `${String(d.trigger)}: ${String(d.reason)}`, true),
        );
        break;
      case 'deployer.rolled_back':
        rows.push(row(e, 'Previous version restored', e.message));
        break;
      case 'rollback.completed':
        rows.push(
          row(
            e,
            '**Rollback complete**',
            `production stable at ${h.release.previousVersion}`,
            true,
          ),
        );
        break;
      case 'rollout.failed':
        rows.push(row(e, '**Rollback failed**', e.message, true));
        break;
      case 'router.call_failed':
      case 'deployer.call_failed':
      case 'check.call_failed':
        rows.push(row(e, `${String(d.port)} call failed`, e.message));
        break;
      case 'observation.added':
        rows.push(row(e, `Observation by ${e.actor}`, String(d.text)));
        break;
    }
  }
  return rows;
}

function minutesWords(seconds: number | undefined): string {
  return seconds === undefined ? 'not recorded' : duration(seconds);
}

function findingRows(findings: readonly Finding[]): string[][] {
  return findings.map((f) => [
    f.gate,
    f.metric,
    f.observed
      ? Object.entries(f.observed)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : '—',
    f.threshold === undefined ? '—' : String(f.threshold),
    f.pValue === undefined ? '—' : String(f.pValue),
    f.ratioInterval ? `[${f.ratioInterval[0]}, ${f.ratioInterval[1]}]` : '—',
    f.message,
  ]);
}

export function buildPostMortem(input: PostMortemInput): PostMortemDraft {
  const h = input.history;
  const times = incidentTimes(
    h,
    input.deliveries,
    input.deadlineHours ?? POST_MORTEM_DEADLINE_HOURS,
  );
  const rb = h.rollback as NonNullable<RolloutHistory['rollback']>;
  const impact = incidentImpact(h, input.served);
  const incidentId = input.incidentId ?? `PM-${h.rolloutId}`;
  const end = times.restoredAt ?? rb.failedAt ?? rb.startedAt;
  const secs = (a: string, b: string) => (ms(b) - ms(a)) / 1000;
  const durationSeconds = secs(times.deployStartedAt, end);
  const detectionSeconds = secs(times.deployStartedAt, times.detectedAt);
  const notificationSeconds = times.notifiedAt
    ? secs(times.detectedAt, times.notifiedAt)
    : undefined;
  const resolutionSeconds = times.restoredAt ? secs(times.detectedAt, times.restoredAt) : undefined;
  const timeline = timelineRows(h);
  const nv = impact.newVersion;
  const draft: Omit<PostMortemDraft, 'markdown'> = {
    incidentId,
    rolloutId: h.rolloutId,
    service: h.release.service,
    environment: h.environment,
    date: day(times.rollbackStartedAt),
    failedVersion: h.release.version,
    restoredVersion: rb.to,
    reason: rb.reason,
    trigger: rb.trigger,
    ...(rb.decidedBy === undefined ? {} : { decidedBy: rb.decidedBy }),
    times,
    durationSeconds,
    detectionSeconds,
    ...(notificationSeconds === undefined ? {} : { notificationSeconds }),
    ...(resolutionSeconds === undefined ? {} : { resolutionSeconds }),
    impact,
    findings: rb.findings,
    timeline,
  };
  const impactLine =
    nv.requests > 0
      ? `${count(nv.requests)} requests served by ${h.release.version} (peak ${impact.peakWeight} % of traffic for ${duration(impact.exposureSeconds)}), ${count(nv.errors)} of them errors (${percent(nv.errorRate)}${impact.baseline ? ` vs ${percent(impact.baseline.errorRate)} on ${h.release.previousVersion}` : ''})`
      : `no measured traffic on ${h.release.version} (peak weight ${impact.peakWeight} %)`;
  const auto = rb.trigger !== 'person';
  const who =
    rb.trigger === 'judge'
      ? `the judge${rb.decidedBy ? ` (gate \`${rb.decidedBy}\`)` : ''}`
      : rb.trigger === 'watch'
        ? `the post-release watch${rb.decidedBy ? ` (gate \`${rb.decidedBy}\`)` : ''}`
        : rb.trigger === 'check'
          ? 'a failed check'
          : rb.actor;
  const restored = times.restoredAt
    ? `${h.release.previousVersion} was restored ${duration(resolutionSeconds ?? 0)} after detection`
    : `the rollback to ${h.release.previousVersion} FAILED and needs a person`;
  const endpointRows = Object.entries(nv.endpoints)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([route, c]) => [
      route,
      count(c.requests),
      count(c.errors),
      c.requests > 0 ? percent(c.errors / c.requests) : '—',
    ]);
  const evidence = rb.evidence?.data;
  const dueWords = `${isoSeconds(times.dueAt)} (${input.deadlineHours ?? POST_MORTEM_DEADLINE_HOURS} hours after the rollback)`;
  const lines: string[] = [
    `# Deployment Rollback Post-Mortem: ${h.release.service} ${h.release.version}`,
    '',
    `**Incident ID**: ${incidentId}  `,
    `**Date**: ${draft.date}  `,
    `**Service / Environment**: ${h.release.service} / ${h.environment}  `,
    `**Failed Version**: ${h.release.version}  `,
    `**Rolled Back To**: ${rb.to}  `,
    `**Duration**: ${duration(durationSeconds)} (deploy start to ${times.restoredAt ? 'rollback completion' : 'failed rollback'})  `,
    `**Impact**: ${impactLine}  `,
    `**Post-mortem due**: ${dueWords}`,
    '',
    '## Executive Summary',
    '',
    `> A ${h.environment} rollout of ${h.release.service} ${h.release.version} (${h.release.type} release, ${h.release.risk} risk) was rolled back ${auto ? 'automatically' : 'by hand'} to ${rb.to} on ${draft.date} at ${times.rollbackStartedAt.slice(11, 19)} UTC, ${duration(detectionSeconds)} after the deployment started. ${sentence(`${who} decided: ${rb.reason}`)} ${sentence(impactLine)} ${sentence(restored)} Root cause: ${TO_FILL}`,
    '',
    '## Constitutional Compliance',
    '',
    `**Article XIII Requirement**: All production rollback incidents require a post-mortem within 48 hours. **Due: ${dueWords}.**`,
    '',
    '- [ ] Post-mortem completed within 48 hours of incident',
    '- [ ] Root cause identified and documented',
    '- [ ] Action items created and assigned',
    '- [ ] Lessons learned documented',
    '- [ ] Prevention measures implemented or scheduled',
    '',
    '## Incident Timeline',
    '',
    'All times ISO 8601 (UTC), from the rollout timeline.',
    '',
    ...table(
      ['Time (UTC)', 'Event', 'Details'],
      timeline.map((r) => [isoSeconds(r.at), r.event, r.details]),
    ),
    '',
    `**Total Duration**: ${duration(durationSeconds)} (deploy start to ${times.restoredAt ? 'rollback complete' : 'failed rollback'})  `,
    `**Exposure**: ${duration(impact.exposureSeconds)} with traffic on ${h.release.version} (peak ${impact.peakWeight} %)`,
    '',
    '## Root Cause Analysis',
    '',
    '### What Happened?',
    '',
    TO_FILL,
    '',
    '### Why Did It Happen?',
    '',
    `1. **Why did the deployment fail?** ${TO_FILL}`,
    `2. **Why?** ${TO_FILL}`,
    `3. **Why?** ${TO_FILL}`,
    `4. **Why?** ${TO_FILL}`,
    `5. **Why?** ${TO_FILL}`,
    '',
    `**Root Cause**: ${TO_FILL}`,
    '',
    '### Contributing Factors',
    '',
    '- [ ] Inadequate testing (specify what was missed)',
    '- [ ] Configuration drift between environments',
    '- [ ] Missing pre-deployment validation',
    '- [ ] Insufficient documentation',
    '- [ ] Communication breakdown',
    '- [ ] Other: ____________________',
    '',
    '## Detection and Response',
    '',
    '### How Was It Detected?',
    '',
    `> Detected by ${times.detectedBy} at ${isoSeconds(times.detectedAt)}${times.firstTrafficAt ? `, ${duration(secs(times.firstTrafficAt, times.detectedAt))} after ${h.release.version} first received traffic` : ''}. ${sentence(rb.reason)}`,
    '',
    '### The Judge’s Evidence',
    '',
    ...(evidence
      ? [
          `Verdict \`${String(evidence.decision)}\` at t = ${String(evidence.t)} s into the step: canary error rate ${percent(Number((evidence.rates as { canary?: { errorRate?: number } })?.canary?.errorRate ?? 0))} vs baseline ${percent(Number((evidence.rates as { baseline?: { errorRate?: number } })?.baseline?.errorRate ?? 0))} over ${count(Number((evidence.exposure as { canaryRequests?: number })?.canaryRequests ?? 0))} canary and ${count(Number((evidence.exposure as { baselineRequests?: number })?.baselineRequests ?? 0))} baseline requests; always-valid p-value ${String(evidence.pValue)}.`,
          '',
        ]
      : [`No judge verdict decided this rollback (trigger: ${rb.trigger}).`, '']),
    ...(rb.findings.length > 0
      ? [
          ...table(
            ['Gate', 'Metric', 'Observed', 'Threshold', 'p-value', 'Ratio interval', 'Finding'],
            findingRows(rb.findings),
          ),
          '',
        ]
      : []),
    '### Response Quality',
    '',
    `- **Detection Time**: ${minutesWords(detectionSeconds)} from deploy start${times.firstTrafficAt ? ` (${minutesWords(secs(times.firstTrafficAt, times.detectedAt))} from first canary traffic)` : ''}`,
    `- **Notification Time**: ${minutesWords(notificationSeconds)} from detection${times.notifiedAt && times.notificationQueued ? ' (queued in the outbox; delivery time not recorded here)' : ''}`,
    `- **Resolution Time**: ${minutesWords(resolutionSeconds)} from detection`,
    `- **Safeguards Performance**: ${auto ? `automatic rollback by ${rb.trigger}, no manual intervention needed to start it` : `rolled back by ${rb.actor}`}; ${times.restoredAt ? 'rollback completed' : 'rollback FAILED'}`,
    '',
    '## Impact Assessment',
    '',
    '### User-Facing Impact',
    '',
    `> ${sentence(impactLine)}${impact.measuredOver ? ` Counted by ${impact.measuredOver.source} over the whole exposure, ${isoSeconds(impact.measuredOver.from)} to ${isoSeconds(impact.measuredOver.to)}, read when the rollback completed.` : ''}${impact.unmeasuredSeconds > 0 ? ` Requests in the last ${duration(impact.unmeasuredSeconds)} before the router went back to 0 % are not in a recorded batch and not counted.` : ''}`,
    '',
    ...(endpointRows.length > 0
      ? [
          ...table(['Endpoint', 'Requests on new version', 'Errors', 'Error rate'], endpointRows),
          '',
        ]
      : []),
    '### Business Impact',
    '',
    TO_FILL,
    '',
    '### Data Integrity',
    '',
    '- [ ] No data loss confirmed',
    '- [ ] No data corruption confirmed',
    '- [ ] Database integrity verified',
    '- [ ] Backup integrity verified',
    '',
    TO_FILL,
    '',
    '## Remediation Steps Taken',
    '',
    '1. **Immediate Actions** (during incident, from the timeline):',
    `   - [x] Rollback ${auto ? `triggered automatically (${rb.trigger})` : `started by ${rb.actor}`} at ${isoSeconds(rb.startedAt)}`,
    `   - [x] Router weight set to 0 % for ${h.release.version}`,
    times.restoredAt
      ? `   - [x] ${rb.to} restored at ${isoSeconds(times.restoredAt)}`
      : `   - [ ] ${rb.to} NOT restored: the rollback failed`,
    `   - [x] Incident opened (${incidentId}) and notifications queued`,
    '',
    '2. **Follow-Up Actions** (after incident):',
    '   - [ ] Root cause identified',
    '   - [ ] Prevention measures defined',
    '',
    '## Prevention Measures',
    '',
    '### Immediate Prevention (Implemented)',
    '',
    '- [ ] Configuration updated',
    '- [ ] Validation added to deployment pipeline',
    '- [ ] Documentation updated',
    '- [ ] Monitoring enhanced',
    '- [ ] Testing improved',
    '- [ ] Other: ____________________',
    '',
    '### Long-Term Prevention (Planned)',
    '',
    '- [ ] Infrastructure changes',
    '- [ ] Process improvements',
    '- [ ] Tooling enhancements',
    '- [ ] Training/documentation',
    '- [ ] Architecture changes',
    '',
    '## Action Items',
    '',
    'Owner is a `@name`, Due Date is YYYY-MM-DD, Status one of Planned, In Progress, Done.',
    '',
    ...table(
      ['ID', 'Action', 'Owner', 'Due Date', 'Status', 'Ticket'],
      [['1', TO_FILL, '@owner', 'YYYY-MM-DD', 'Planned', '']],
    ),
    '',
    '## Lessons Learned',
    '',
    '### What Went Well?',
    '',
    TO_FILL,
    '',
    '### What Went Poorly?',
    '',
    TO_FILL,
    '',
    '### Surprising Discoveries?',
    '',
    TO_FILL,
    '',
    '## Recommendations',
    '',
    TO_FILL,
    '',
    '## Appendix',
    '',
    '### Forensics Artifacts',
    '',
    `- **Forensics bundle**: \`${input.forensicsPath ?? `forensics/${h.rolloutId}.json`}\` (metric windows around detection, verdict evidence, policy as used, router changes, check and deployer outputs)`,
    `- **Rollout timeline**: \`rollgate release show ${h.rolloutId}\``,
    '',
    '### Related Incidents',
    '',
    `- Earlier post-mortems of ${h.release.service}: \`rollgate postmortem list --service ${h.release.service}\``,
    `- Linked risks: \`rollgate risk list --service ${h.release.service}\``,
    '',
    '### Monitoring Dashboards',
    '',
    `- Rollout status and timeline: \`rollgate status ${h.rolloutId}\``,
    '',
    '### Related Documentation',
    '',
    `- Post-release report: \`rollgate report release ${h.rolloutId}\``,
    '- Runbook: docs/records.md (post-mortems, forensics, risk register)',
    '',
    '## Sign-Off',
    '',
    `**Post-Mortem Author**: ${TO_FILL}  `,
    `**Date Completed**: ${TO_FILL}  `,
    `**Reviewed By**: ${TO_FILL}`,
    '',
  ];
  return { ...draft, markdown: lines.join('\n') };
}
