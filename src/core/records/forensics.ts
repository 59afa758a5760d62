/**
 * The forensics bundle of a rollback (seed 001's "forensics directory"), built from the
 * timeline alone: metric windows before and after detection, the judge's evidence, the
 * policy as the rollout used it, the router state before and after, and every check,
 * deployer and command output the events recorded. JSON-serialisable.
 */
import type { JudgePolicy, PlanStep } from '../plan/plan-types.js';
import type { Release } from '../rollout/rollout-types.js';
import { incidentTimes, type NotificationDelivery, type ServedTotals } from './incident-times.js';
import { ms } from './record-format.js';
import { allBatches, type RecordedBatch, type RolloutHistory } from './rollout-history.js';

export interface ForensicsOutput {
  at: string;
  source: 'check' | 'deployer' | 'router' | 'engine' | 'person';
  name: string;
  ok: boolean;
  text: string;
}

export interface ForensicsBundle {
  format: 'rollgate.forensics/v1';
  rolloutId: string;
  release: Release;
  environment: string;
  detectedAt: string;
  detectedBy: string;
  windowSeconds: number;
  metrics: {
    /** Recorded batches in [detection − window, detection]. */
    beforeDetection: RecordedBatch[];
    /** Recorded batches in (detection, detection + window], and any passed in. */
    afterDetection: RecordedBatch[];
  };
  /** The data of the verdict (or watch sample) that acted, with its findings and batch. */
  verdict?: Record<string, unknown>;
  policy: { strategy: string; steps: PlanStep[]; judge: JudgePolicy; expectedSeconds: number };
  router: {
    /** Canary weight just before detection, and after the rollback. */
    weightBefore: number;
    weightAfter: number;
    changes: { at: string; weight: number; reason: string }[];
  };
  outputs: ForensicsOutput[];
  /** What the versions served over the whole exposure, read at the rollback. */
  served?: ServedTotals;
  /** Why `served` is missing, when the read failed. */
  servedError?: string;
}

export interface ForensicsOptions {
  /** Seconds of metric windows each side of detection (default 600). */
  windowSeconds?: number;
  /** Measurements taken after the rollout ended (e.g. read by the CLI after the rollback). */
  after?: readonly RecordedBatch[];
  deliveries?: readonly NotificationDelivery[];
  served?: ServedTotals;
  servedError?: string;
}

export function buildForensics(h: RolloutHistory, options: ForensicsOptions = {}): ForensicsBundle {
  const times = incidentTimes(h, options.deliveries);
  const window = options.windowSeconds ?? 600;
  const det = ms(times.detectedAt);
  const batches = allBatches(h);
  const before = batches.filter((b) => ms(b.at) <= det && ms(b.at) >= det - window * 1000);
  const after = [
    ...batches.filter((b) => ms(b.at) > det && ms(b.at) <= det + window * 1000),
    ...(options.after ?? []),
  ];
  const changes = h.events
    .filter((e) => e.type === 'router.weight_set')
    .map((e) => ({ at: e.at, weight: Number(e.data.weight), reason: String(e.data.reason ?? '') }));
  const weightAt = (t: number) => changes.filter((c) => ms(c.at) <= t).at(-1)?.weight ?? 0;
  const outputs: ForensicsOutput[] = [];
  for (const e of h.events) {
    const d = e.data;
    switch (e.type) {
      case 'check.passed':
      case 'check.failed':
        outputs.push({
          at: e.at,
          source: 'check',
          name: String(d.check),
          ok: e.type === 'check.passed',
          text: `${String(d.message)} (${String(d.durationMs)} ms)`,
        });
        break;
      case 'deployer.deployed':
      case 'deployer.rolled_back':
        outputs.push({
          at: e.at,
          source: 'deployer',
          name: e.type === 'deployer.deployed' ? `deploy ${String(d.target)}` : 'rollback',
          ok: true,
          text: typeof d.output === 'string' ? d.output : e.message,
        });
        break;
      case 'router.call_failed':
      case 'deployer.call_failed':
      case 'check.call_failed':
        outputs.push({
          at: e.at,
          source:
            e.type === 'router.call_failed'
              ? 'router'
              : e.type === 'check.call_failed'
                ? 'check'
                : 'deployer',
          name: String(d.op),
          ok: false,
          text: `attempt ${String(d.attempt)} of ${String(d.attempts)}: ${String(d.error)}`,
        });
        break;
      case 'engine.error':
      case 'rollout.failed':
        outputs.push({ at: e.at, source: 'engine', name: e.type, ok: false, text: e.message });
        break;
      case 'observation.added':
        outputs.push({ at: e.at, source: 'person', name: e.actor, ok: true, text: String(d.text) });
        break;
    }
  }
  const end = ms(h.rollback?.completedAt ?? h.endedAt ?? times.rollbackStartedAt);
  return {
    format: 'rollgate.forensics/v1',
    rolloutId: h.rolloutId,
    release: h.release,
    environment: h.environment,
    detectedAt: times.detectedAt,
    detectedBy: times.detectedBy,
    windowSeconds: window,
    metrics: { beforeDetection: before, afterDetection: after },
    ...(h.rollback?.evidence ? { verdict: h.rollback.evidence.data } : {}),
    policy: {
      strategy: h.plan.strategy,
      steps: h.plan.steps,
      judge: h.plan.judge,
      expectedSeconds: h.plan.expectedSeconds,
    },
    router: { weightBefore: weightAt(det), weightAfter: weightAt(end), changes },
    outputs,
    ...(options.served ? { served: options.served } : {}),
    ...(options.servedError ? { servedError: options.servedError } : {}),
  };
}

/**
 * What a completed rollout's capture holds (ADR 0143), stored in the same place as a
 * rollback's forensics bundle (one row per rollout; a rollout ends once, so the two never
 * meet): one read over the whole rollout, or why it failed.
 */
export interface ReleaseCapture {
  format: 'rollgate.release-capture/v1';
  rolloutId: string;
  served?: ServedTotals;
  servedError?: string;
}

/** The whole-exposure read in a stored capture of either kind, or why there is none. */
export function servedOfCapture(
  bundle: Record<string, unknown> | undefined,
): { served: ServedTotals } | { servedError: string } {
  if (bundle === undefined) return { servedError: 'no whole-rollout capture in the store' };
  const b = bundle as Partial<ForensicsBundle | ReleaseCapture>;
  if (b.served) return { served: b.served };
  return { servedError: b.servedError ?? 'the capture holds no whole-rollout read' };
}
