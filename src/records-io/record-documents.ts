/**
 * The records as documents (text and structured data), read from the store: what the CLI
 * writes into files (record-files.ts) and what the HTTP API returns (src/server). One
 * place builds each record, so a file and an API answer never disagree.
 */

import { RollgateError } from '../core/errors/rollgate-error.js';
import { servedOfCapture } from '../core/records/forensics.js';
import { buildPostMortem, type PostMortemDraft } from '../core/records/post-mortem.js';
import {
  buildPostReleaseReport,
  type PostReleaseDocument,
  type SloTargets,
} from '../core/records/post-release-report.js';
import { buildReleaseLog, type ReleaseLogDocument } from '../core/records/release-log.js';
import {
  periodSince,
  type ReleaseMetrics,
  releaseMetrics,
} from '../core/records/release-metrics.js';
import { type RolloutHistory, readRolloutHistory } from '../core/records/rollout-history.js';
import type { PostMortemRecord, PostMortemStore } from '../ports/post-mortem-store.js';
import type { Store } from '../ports/store.js';

export async function loadHistory(store: Store, rolloutId: string): Promise<RolloutHistory> {
  const events = await store.listEvents(rolloutId);
  if (events.length === 0) {
    throw new RollgateError('not_found', `no rollout ${rolloutId}`, {
      hint: 'list rollouts with: rollgate history',
    });
  }
  return readRolloutHistory(events);
}

/**
 * The histories of a service's (or every service's) rollouts, newest first; `since`
 * skips rollouts created before it without reading their events (metrics over a period,
 * the release log's archive window).
 */
export async function loadHistories(
  store: Store,
  options: { service?: string; since?: string; limit?: number } = {},
): Promise<RolloutHistory[]> {
  const rollouts = await store.listRollouts({
    ...(options.service === undefined ? {} : { service: options.service }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  const since = options.since === undefined ? undefined : Date.parse(options.since);
  const out: RolloutHistory[] = [];
  for (const r of rollouts) {
    if (since !== undefined && Date.parse(r.createdAt) < since) continue;
    out.push(readRolloutHistory(await store.listEvents(r.id)));
  }
  return out;
}

export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Where a rollout's forensics bundle is written, relative to the record folder. */
export function forensicsPathOf(rolloutId: string): string {
  return `forensics/${safeFileName(rolloutId)}.json`;
}

/** The post-release report of a rollout (`charts`: inline SVG, or links into `chartDir`). */
export async function releaseReportDocument(
  store: Store,
  rolloutId: string,
  options: { now: string; charts: 'inline' | 'files'; chartDir?: string; slo?: SloTargets },
): Promise<PostReleaseDocument> {
  const history = await loadHistory(store, rolloutId);
  // The whole-rollout read captured when the rollout ended (ADR 0143), if the store keeps
  // captures; otherwise the report falls back to the judged batches and says so.
  const captures = store as Partial<PostMortemStore>;
  const measured =
    typeof captures.getForensics === 'function'
      ? servedOfCapture((await captures.getForensics(rolloutId))?.bundle)
      : { servedError: 'this store keeps no captures' };
  return buildPostReleaseReport({
    history,
    now: options.now,
    ...measured,
    charts: options.charts,
    ...(options.chartDir === undefined ? {} : { chartDir: options.chartDir }),
    ...(options.slo ? { slo: options.slo } : {}),
  });
}

/** A service's release log, newest first. */
export async function releaseLogDocument(
  store: Store,
  service: string,
  now: string,
): Promise<ReleaseLogDocument> {
  const histories = await loadHistories(store, { service });
  return buildReleaseLog({ service, histories, now });
}

/** The draft of a post-mortem (as recorded: its id), rebuilt from its rollout's timeline. */
export async function postMortemDraftOf(
  store: Store,
  pm: Pick<PostMortemRecord, 'id' | 'rolloutId'>,
): Promise<PostMortemDraft> {
  const history = await loadHistory(store, pm.rolloutId);
  return buildPostMortem({
    history,
    incidentId: pm.id,
    forensicsPath: forensicsPathOf(pm.rolloutId),
  });
}

export interface MetricsQuery {
  service?: string;
  /** A period ending now: 12h, 30d, 4w. */
  since: string;
  /** The environment that counts as production. */
  environment: string;
  now: string;
}

/** DORA release metrics over a period (`rollgate metrics --json`). */
export async function releaseMetricsOf(store: Store, q: MetricsQuery): Promise<ReleaseMetrics> {
  const { from, to } = periodSince(q.since, q.now);
  const histories = await loadHistories(store, {
    since: from,
    ...(q.service === undefined ? {} : { service: q.service }),
  });
  return releaseMetrics({
    histories,
    from,
    to,
    environment: q.environment,
    ...(q.service === undefined ? {} : { service: q.service }),
  });
}
