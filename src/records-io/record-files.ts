/**
 * Renders records from the store into files (outside core: reads the store, writes the
 * disk). Each function returns the paths it wrote. Writes are atomic (temp + rename), so
 * a reader never sees half a record.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RollgateError } from '../core/errors/rollgate-error.js';
import { buildForensics } from '../core/records/forensics.js';
import { buildPostMortem } from '../core/records/post-mortem.js';
import { parsePostMortem } from '../core/records/post-mortem-parse.js';
import type { SloTargets } from '../core/records/post-release-report.js';
import { buildReleaseNotes, type CommitInput } from '../core/records/release-notes.js';
import type { PostMortemRecord, PostMortemStore } from '../ports/post-mortem-store.js';
import type { Store } from '../ports/store.js';
import {
  forensicsPathOf,
  loadHistory,
  releaseLogDocument,
  releaseReportDocument,
  safeFileName,
} from './record-documents.js';

export { loadHistories, loadHistory } from './record-documents.js';

async function writeAtomic(path: string, text: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return path;
}

const safe = safeFileName;

export interface RecordContext {
  store: Store & PostMortemStore;
  outDir: string;
  /** ISO 8601, from the Clock port. */
  now: string;
}

export async function writeReleaseReport(
  ctx: RecordContext,
  rolloutId: string,
  slo?: SloTargets,
): Promise<string[]> {
  const doc = await releaseReportDocument(ctx.store, rolloutId, {
    now: ctx.now,
    charts: 'files',
    chartDir: 'charts',
    ...(slo ? { slo } : {}),
  });
  const base = join(ctx.outDir, `post-release-report-${safe(rolloutId)}`);
  const written = [
    await writeAtomic(`${base}.md`, doc.markdown),
    await writeAtomic(`${base}.json`, `${JSON.stringify(doc.report, null, 2)}\n`),
  ];
  for (const [name, svg] of Object.entries(doc.charts)) {
    written.push(await writeAtomic(join(ctx.outDir, 'charts', safe(name)), svg));
  }
  return written;
}

/**
 * Opens the post-mortem of a rolled-back rollout (idempotent) and writes its draft and
 * forensics bundle: `<date>-<failed-version>.md` (seed 001's storage name) and
 * `forensics/<rollout>.json`.
 */
export async function writePostMortem(
  ctx: RecordContext,
  rolloutId: string,
): Promise<{ record: PostMortemRecord; files: string[] }> {
  const h = await loadHistory(ctx.store, rolloutId);
  const forensicsPath = forensicsPathOf(rolloutId);
  const existing = await ctx.store.getPostMortemByRollout(rolloutId);
  const draft = buildPostMortem({
    history: h,
    forensicsPath,
    ...(existing ? { incidentId: existing.id } : {}),
  });
  let record = existing;
  if (!record) {
    record = {
      id: draft.incidentId,
      rolloutId,
      service: draft.service,
      environment: draft.environment,
      failedVersion: draft.failedVersion,
      restoredVersion: draft.restoredVersion,
      createdAt: ctx.now,
      dueAt: draft.times.dueAt,
    };
    await ctx.store.createPostMortem(record);
  }
  const { markdown, ...structured } = draft;
  const base = join(ctx.outDir, `${draft.date}-${safe(draft.failedVersion)}`);
  const files = [
    await writeAtomic(`${base}.md`, markdown),
    await writeAtomic(`${base}.json`, `${JSON.stringify(structured, null, 2)}\n`),
    await writeAtomic(
      join(ctx.outDir, forensicsPath),
      `${JSON.stringify(buildForensics(h), null, 2)}\n`,
    ),
  ];
  return { record, files };
}

export async function writeReleaseLog(ctx: RecordContext, service: string): Promise<string[]> {
  const doc = await releaseLogDocument(ctx.store, service, ctx.now);
  return [await writeAtomic(join(ctx.outDir, `release-log-${safe(service)}.md`), doc.markdown)];
}

export async function writeReleaseNotes(
  ctx: RecordContext,
  rolloutId: string,
  commits: readonly CommitInput[],
  knownIssues: readonly string[] = [],
): Promise<string[]> {
  const h = await loadHistory(ctx.store, rolloutId);
  const notes = buildReleaseNotes({
    service: h.release.service,
    version: h.release.version,
    previousVersion: h.release.previousVersion,
    date: (h.endedAt ?? h.startedAt).slice(0, 10),
    commits,
    knownIssues,
  });
  return [
    await writeAtomic(
      join(ctx.outDir, `release-notes-${safe(h.release.service)}-${safe(h.release.version)}.md`),
      notes.markdown,
    ),
  ];
}

/** Reads a filled post-mortem file back and records it as completed. */
export async function completePostMortem(
  store: PostMortemStore,
  id: string,
  markdown: string,
  source: string,
  by: string,
  now: string,
): Promise<{ missing: string[]; actionItems: number }> {
  const pm = await store.getPostMortem(id);
  if (!pm) {
    throw new RollgateError('not_found', `no post-mortem ${id}`, {
      hint: 'list them with: rollgate postmortem list',
    });
  }
  const filled = parsePostMortem(markdown, source);
  const { actionItems, ...content } = filled;
  await store.completePostMortem(id, {
    at: now,
    by,
    content: content as unknown as Record<string, unknown>,
    actionItems,
  });
  return { missing: filled.missing, actionItems: actionItems.length };
}
