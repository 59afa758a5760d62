/**
 * The rollback reaction (issue #7, ADR 0140): when a rollout reaches `rolled_back`,
 * capture its forensics (metric windows before and after detection, the judge's
 * evidence, the policy as used, the router before and after, check and command outputs,
 * and what the versions served over the whole exposure) into the store and a forensics
 * folder, add an entry to each linked risk's history, and open its post-mortem (due 48 h
 * after the rollback).
 *
 * Crash-safe without a second queue: the durable `rolled_back` state is the pending work
 * and the post-mortem row (unique per rollout) is the receipt. The engine's hook runs it
 * at once; `reconcile()` (at controller start and on every pass of its loop) finishes what
 * a controller killed in between left undone. Every step is idempotent on the rollout id:
 * the first forensics capture wins, a risk gets one entry per rollout, and a second
 * post-mortem is refused by the store and ignored here.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { coerceError } from '../core/errors/rollgate-error.js';
import {
  buildForensics,
  type ForensicsBundle,
  type ReleaseCapture,
} from '../core/records/forensics.js';
import type { ServedTotals } from '../core/records/incident-times.js';
import { buildPostMortem } from '../core/records/post-mortem.js';
import { type RolloutHistory, readRolloutHistory } from '../core/records/rollout-history.js';
import { addDays, ROLLBACK_REVIEW_DAYS } from '../core/risk/risk-types.js';
import type { Clock } from '../ports/clock.js';
import type { MetricSource } from '../ports/metric-source.js';
import type { PostMortemStore } from '../ports/post-mortem-store.js';
import type { RiskStore } from '../ports/risk-store.js';
import type { RouteTarget } from '../ports/router.js';
import type { Store } from '../ports/store.js';

export type RecordsStore = Store & PostMortemStore & Partial<RiskStore>;

export interface RollbackRecordsOptions {
  /** Where the forensics folders go (`<dir>/<version>-<rollout>/`); none: store only. */
  forensicsDir?: string;
  /**
   * Clock ms to wait after the rollback completed before reading what the versions
   * served (requests still in flight, a scrape interval). Default 10 s.
   */
  settleMs?: number;
  /** Days after a rollback by which a linked risk is reviewed. */
  riskReviewDays?: number;
  /** Metric windows each side of detection in the bundle (seconds). */
  windowSeconds?: number;
  onError?: (error: Error, rolloutId?: string) => void;
}

export interface OpenedRecords {
  rolloutId: string;
  postMortemId: string;
  /** False when an earlier pass (or another process) had opened it. */
  created: boolean;
  forensicsFolder?: string;
  risks: string[];
}

export class RollbackRecords {
  private readonly pending = new Map<string, Promise<OpenedRecords | undefined>>();
  private readonly captures = new Map<string, Promise<ReleaseCapture | undefined>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly deps: {
      store: RecordsStore;
      clock: Clock;
      /** The metric source of a service's environment (undefined: none configured). */
      metricsFor: (target: RouteTarget) => MetricSource | undefined;
    },
    private readonly options: RollbackRecordsOptions = {},
  ) {}

  /** Opens the records of a rolled-back rollout once; concurrent calls share one pass. */
  open(rolloutId: string): Promise<OpenedRecords | undefined> {
    const running = this.pending.get(rolloutId);
    if (running) return running;
    const p = this.run(rolloutId).finally(() => this.pending.delete(rolloutId));
    this.pending.set(rolloutId, p);
    return p;
  }

  /** Like `open`, for the engine's hook: errors go to `onError`, never to the caller. */
  trigger(rolloutId: string): void {
    this.open(rolloutId).catch((err: unknown) =>
      this.options.onError?.(coerceError(err), rolloutId),
    );
  }

  /**
   * When a rollout completes (ADR 0143): after `settleMs`, one read of the metric source
   * over the whole rollout, stored like a rollback's forensics (same row, keyed by the
   * rollout; first capture wins) for the post-release report. Returns whether it holds a
   * read. Shares `settled()` and `stop()` with the rollback passes.
   */
  captureCompleted(rolloutId: string): Promise<ReleaseCapture | undefined> {
    const key = `completed:${rolloutId}`;
    const running = this.captures.get(key);
    if (running) return running;
    const p = this.runCompleted(rolloutId).finally(() => this.captures.delete(key));
    this.captures.set(key, p);
    return p;
  }

  /** Like `captureCompleted`, for the engine's hook: errors go to `onError`. */
  triggerCompleted(rolloutId: string): void {
    this.captureCompleted(rolloutId).catch((err: unknown) => {
      // closing before the settle ended: no capture, the report says it used the batches
      if (this.stopping.signal.aborted) return;
      this.options.onError?.(coerceError(err), rolloutId);
    });
  }

  private async runCompleted(rolloutId: string): Promise<ReleaseCapture | undefined> {
    const { store } = this.deps;
    this.stopping.signal.throwIfAborted();
    const stored = await store.getForensics(rolloutId);
    if (stored) return stored.bundle as unknown as ReleaseCapture;
    const events = await store.listEvents(rolloutId);
    if (events.length === 0) return undefined;
    const h = readRolloutHistory(events);
    if (h.state !== 'completed' || h.endedAt === undefined) return undefined;
    const served = await this.readServed(h);
    const capture: ReleaseCapture = {
      format: 'rollgate.release-capture/v1',
      rolloutId,
      ...('served' in served ? { served: served.served } : { servedError: served.error }),
    };
    await store.saveForensics({
      rolloutId,
      capturedAt: this.iso(this.deps.clock.now()),
      bundle: capture as unknown as Record<string, unknown>,
    });
    const kept = await store.getForensics(rolloutId);
    return (kept?.bundle ?? capture) as unknown as ReleaseCapture;
  }

  /** Opens the records every rolled-back rollout still lacks (after a crash). */
  async reconcile(limit = 20): Promise<OpenedRecords[]> {
    const ids = await this.deps.store.listRollbacksWithoutPostMortem(limit);
    const out: OpenedRecords[] = [];
    for (const id of ids) {
      try {
        const r = await this.open(id);
        if (r) out.push(r);
      } catch (err) {
        this.options.onError?.(coerceError(err), id);
      }
    }
    return out;
  }

  /** Ends the waits under way (their passes fail; `reconcile` finishes them later). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('rollgate is closing'));
    await Promise.allSettled([...this.pending.values(), ...this.captures.values()]);
  }

  /** Resolves once every pass under way has ended. */
  async settled(): Promise<void> {
    while (this.pending.size > 0 || this.captures.size > 0) {
      await Promise.allSettled([...this.pending.values(), ...this.captures.values()]);
    }
  }

  private iso(t: number): string {
    return new Date(t).toISOString();
  }

  private async run(rolloutId: string): Promise<OpenedRecords | undefined> {
    const { store } = this.deps;
    this.stopping.signal.throwIfAborted();
    const existing = await store.getPostMortemByRollout(rolloutId);
    if (existing) {
      return { rolloutId, postMortemId: existing.id, created: false, risks: [] };
    }
    const events = await store.listEvents(rolloutId);
    if (events.length === 0) return undefined;
    const h = readRolloutHistory(events);
    if (h.state !== 'rolled_back' || h.rollback?.completedAt === undefined) return undefined;
    const bundle = await this.forensics(h);
    const risks = await this.syncRisks(h);
    const draft = buildPostMortem({
      history: h,
      ...(bundle.served ? { served: bundle.served } : {}),
    });
    let created = true;
    try {
      await store.createPostMortem({
        id: draft.incidentId,
        rolloutId,
        service: draft.service,
        environment: draft.environment,
        failedVersion: draft.failedVersion,
        restoredVersion: draft.restoredVersion,
        createdAt: this.iso(this.deps.clock.now()),
        dueAt: draft.times.dueAt,
      });
    } catch (err) {
      if (coerceError(err).code !== 'conflict') throw err;
      created = false;
    }
    const folder = await this.writeFolder(h, bundle);
    return {
      rolloutId,
      postMortemId: draft.incidentId,
      created,
      ...(folder ? { forensicsFolder: folder } : {}),
      risks,
    };
  }

  /** The stored capture, or a new one (the first capture of a rollout wins). */
  private async forensics(h: RolloutHistory): Promise<ForensicsBundle> {
    const { store } = this.deps;
    const stored = await store.getForensics(h.rolloutId);
    if (stored) return stored.bundle as unknown as ForensicsBundle;
    const served = await this.readServed(h);
    const bundle = buildForensics(h, {
      ...(this.options.windowSeconds === undefined
        ? {}
        : { windowSeconds: this.options.windowSeconds }),
      ...('served' in served ? { served: served.served } : { servedError: served.error }),
    });
    const capturedAt = this.iso(this.deps.clock.now());
    await store.saveForensics({
      rolloutId: h.rolloutId,
      capturedAt,
      bundle: bundle as unknown as Record<string, unknown>,
    });
    const kept = await store.getForensics(h.rolloutId);
    return (kept?.bundle ?? bundle) as unknown as ForensicsBundle;
  }

  /**
   * One read of the metric source over the whole exposure (the rollout's start to now,
   * `settleMs` after it ended: rolled back or completed), once requests have settled.
   */
  private async readServed(
    h: RolloutHistory,
  ): Promise<{ served: ServedTotals } | { error: string }> {
    const target = { service: h.release.service, environment: h.environment };
    let metrics: MetricSource | undefined;
    try {
      metrics = this.deps.metricsFor(target);
    } catch (err) {
      return { error: coerceError(err).message };
    }
    if (!metrics) return { error: 'no metric source for this service' };
    const restored = Date.parse(h.rollback?.completedAt ?? h.endedAt ?? h.startedAt);
    const wait = restored + (this.options.settleMs ?? 10_000) - this.deps.clock.now();
    if (wait > 0) await this.deps.clock.sleep(wait, this.stopping.signal);
    const from = Date.parse(h.startedAt);
    const to = this.deps.clock.now();
    try {
      const read = await metrics.read(target, { from, to, use: 'records' });
      if (!read.ok) return { error: read.reason };
      return {
        served: {
          from: this.iso(from),
          to: this.iso(to),
          source: metrics.name,
          newVersion: read.batch.canary,
          baseline: read.batch.baseline,
        },
      };
    } catch (err) {
      return { error: coerceError(err).message };
    }
  }

  private async syncRisks(h: RolloutHistory): Promise<string[]> {
    const store = this.deps.store;
    if (typeof store.recordRollback !== 'function') return [];
    const rb = h.rollback;
    if (!rb?.completedAt) return [];
    const days = this.options.riskReviewDays ?? ROLLBACK_REVIEW_DAYS;
    try {
      return await store.recordRollback({
        rolloutId: h.rolloutId,
        service: h.release.service,
        at: rb.completedAt,
        text: `${h.release.service} ${h.release.version} rolled back to ${rb.to} in ${h.environment} (rollout ${h.rolloutId}): ${rb.reason}`,
        reviewBy: addDays(rb.completedAt.slice(0, 10), days),
      });
    } catch (err) {
      // another process synced the same rollback at the same moment
      if (coerceError(err).code === 'conflict') return [];
      throw err;
    }
  }

  /** Seed 001's forensics directory: one file per part of the bundle, then the whole. */
  private async writeFolder(h: RolloutHistory, b: ForensicsBundle): Promise<string | undefined> {
    const dir = this.options.forensicsDir;
    if (dir === undefined) return undefined;
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
    const folder = join(dir, `${safe(h.release.version)}-${safe(h.rolloutId)}`);
    await mkdir(folder, { recursive: true });
    const json = (v: unknown) => `${JSON.stringify(v ?? null, null, 2)}\n`;
    const files: Record<string, string> = {
      'metadata.json': json({
        format: b.format,
        rolloutId: b.rolloutId,
        service: b.release.service,
        environment: b.environment,
        failedVersion: b.release.version,
        restoredVersion: b.release.previousVersion,
        detectedAt: b.detectedAt,
        detectedBy: b.detectedBy,
        rollbackCompletedAt: h.rollback?.completedAt,
      }),
      'metrics-before-detection.json': json(b.metrics.beforeDetection),
      'metrics-after-detection.json': json(b.metrics.afterDetection),
      'served.json': json(b.served ?? { error: b.servedError }),
      'verdict.json': json(b.verdict),
      'policy.json': json(b.policy),
      'router.json': json(b.router),
      'outputs.log': b.outputs
        .map((o) => `${o.at} ${o.source} ${o.name} ${o.ok ? 'ok' : 'FAILED'}: ${o.text}\n`)
        .join(''),
      'bundle.json': json(b),
    };
    for (const [name, text] of Object.entries(files)) {
      const path = join(folder, name);
      const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, path);
    }
    return folder;
  }
}
