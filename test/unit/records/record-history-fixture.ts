/**
 * A realistic synthetic release history for the record builders, produced by the REAL
 * rollout machine (src/core/rollout), so every event has the shape the engine writes.
 * Deterministic: fixed times, arithmetic traffic, no randomness.
 */
import type { ArmBatch, Batch, Finding, Verdict } from '../../../src/core/judge/judge-types.js';
import type { ResolvedPlan } from '../../../src/core/plan/plan-types.js';
import { applyCommand, type RolloutCommand } from '../../../src/core/rollout/rollout-commands.js';
import {
  applyEngineInput,
  createRollout,
  type EngineInput,
} from '../../../src/core/rollout/rollout-machine.js';
import type { Transition } from '../../../src/core/rollout/rollout-transition.js';
import type {
  Release,
  ReleaseType,
  RolloutSnapshot,
  TimelineEvent,
} from '../../../src/core/rollout/rollout-types.js';
import { minorPlan, patchPlan } from '../../fakes/plans.js';

const BUCKETS = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'] as const;

/** A cumulative histogram of `n` requests: shares per bucket (non-cumulative), scaled. */
function histogram(n: number, shares: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  let acc = 0;
  BUCKETS.forEach((b, i) => {
    acc += Math.round(n * (shares[i] ?? 0));
    out[b] = b === '+Inf' ? n : Math.min(acc, n);
  });
  return out;
}

const FAST = [0.3, 0.55, 0.13, 0.015, 0.004, 0.001];
const SLOW = [0.1, 0.4, 0.35, 0.1, 0.04, 0.01];

export interface ArmShape {
  /** Requests per minute at 100 %. */
  rpm: number;
  errorRate: number;
  paymentErrorRate?: number;
  shares?: readonly number[];
  memory?: number;
}

/** One arm's batch for one minute at `share` (0..1) of traffic. */
export function arm(shape: ArmShape, share: number, minutes = 1): ArmBatch {
  const requests = Math.round(shape.rpm * share * minutes);
  const payments = Math.round(requests * 0.2);
  const health = requests - payments;
  const paymentErrors = Math.round(payments * (shape.paymentErrorRate ?? shape.errorRate));
  const healthErrors = Math.round(health * shape.errorRate);
  const shares = shape.shares ?? FAST;
  return {
    requests,
    errors: paymentErrors + healthErrors,
    latency: histogram(requests, shares),
    endpoints: {
      '/v1/payment/process': {
        requests: payments,
        errors: paymentErrors,
        latency: histogram(payments, SLOW),
      },
      '/v1/health': { requests: health, errors: healthErrors, latency: histogram(health, FAST) },
    },
    gauges: { memory: shape.memory ?? 0.62, cpu: 0.34 },
  };
}

export class HistoryDriver {
  readonly events: TimelineEvent[] = [];
  /** Every transition with the snapshot it applied to, to replay into a real store. */
  readonly transitions: { before: RolloutSnapshot | undefined; tr: Transition }[] = [];
  snapshot!: RolloutSnapshot;
  private t: number;
  private readonly stepBatches: Batch[] = [];

  constructor(
    readonly id: string,
    release: Release,
    plan: ResolvedPlan,
    start: string,
  ) {
    this.t = Date.parse(start);
    this.apply(createRollout(id, release, plan, release.createdBy, { at: this.at() }));
  }

  at(): string {
    return new Date(this.t).toISOString();
  }

  tick(seconds: number): this {
    this.t += seconds * 1000;
    return this;
  }

  private apply(tr: Transition): void {
    this.transitions.push({ before: this.snapshot, tr });
    let seq = this.events.length;
    for (const e of tr.events) {
      seq += 1;
      this.events.push({ ...e, rolloutId: this.id, seq });
    }
    this.snapshot = tr.next;
  }

  input(input: EngineInput): this {
    this.apply(applyEngineInput(this.snapshot, input, { at: this.at() }));
    return this;
  }

  command(c: RolloutCommand, actor: string): this {
    this.apply(applyCommand(this.snapshot, c, actor, { at: this.at() }));
    return this;
  }

  observe(text: string, actor: string): this {
    return this.command({ name: 'observe', text }, actor);
  }

  /** Start the current step (a traffic step resets the per-step batches). */
  startStep(): this {
    this.stepBatches.length = 0;
    return this.input({ type: 'step_started' });
  }

  checks(names: string[]): this {
    return this.input({
      type: 'checks_done',
      results: names.map((name, i) => ({
        name,
        ok: true,
        durationMs: 120 + i * 35,
        message: 'HTTP 200',
      })),
    });
  }

  deployed(target: 'canary' | 'stable'): this {
    return this.input({
      type: 'deployed',
      target,
      message: 'deploy script exited 0',
      output: `deploying ${this.snapshot.version} to ${target}\ndone`,
    });
  }

  /** One judge batch a minute later; the verdict is computed from the step's batches so far. */
  batch(
    baseline: ArmShape,
    canary: ArmShape,
    decision: Verdict['decision'] = 'continue',
    extra: { reason?: string; decidedBy?: string; findings?: Finding[] } = {},
  ): this {
    const windowFrom = this.at();
    this.tick(60);
    const w = this.snapshot.weight / 100;
    const startedAt = this.snapshot.steps[this.snapshot.stepIndex]?.startedAt ?? this.at();
    const t = (Date.parse(this.at()) - Date.parse(startedAt)) / 1000;
    const batch: Batch = {
      t,
      weight: this.snapshot.weight,
      baseline: arm(baseline, 1 - w),
      canary: arm(canary, w),
    };
    this.stepBatches.push(batch);
    const sum = (k: 'baseline' | 'canary', f: 'requests' | 'errors') =>
      this.stepBatches.reduce((s, b) => s + b[k][f], 0);
    const verdict: Verdict = {
      decision,
      reason:
        extra.reason ??
        (decision === 'promote'
          ? 'canary no worse than baseline on every gate (p ≥ 0.95)'
          : 'collecting evidence'),
      ...(extra.decidedBy ? { decidedBy: extra.decidedBy } : {}),
      findings: extra.findings ?? [],
      exposure: {
        baselineRequests: sum('baseline', 'requests'),
        canaryRequests: sum('canary', 'requests'),
        seconds: t,
      },
      rates: {
        baseline: {
          errorRate: sum('baseline', 'errors') / Math.max(1, sum('baseline', 'requests')),
        },
        canary: { errorRate: sum('canary', 'errors') / Math.max(1, sum('canary', 'requests')) },
      },
      pValue: decision === 'rollback' ? 0.0004 : 0.62,
    };
    return this.input({ type: 'verdict', t, batch, verdict, windowFrom });
  }

  /**
   * One batch a minute later, decided by a REAL judge session (core/judge) fed every batch
   * of the step so far; returns the decision.
   */
  judgedBatch(
    session: { observe(batch: Batch | undefined, nowSeconds: number): Verdict },
    baseline: ArmShape,
    canary: ArmShape,
  ): Verdict['decision'] {
    const windowFrom = this.at();
    this.tick(60);
    const w = this.snapshot.weight / 100;
    const startedAt = this.snapshot.steps[this.snapshot.stepIndex]?.startedAt ?? this.at();
    const t = (Date.parse(this.at()) - Date.parse(startedAt)) / 1000;
    const batch: Batch = {
      t,
      weight: this.snapshot.weight,
      baseline: arm(baseline, 1 - w),
      canary: arm(canary, w),
    };
    const verdict = session.observe(batch, t);
    this.input({ type: 'verdict', t, batch, verdict, windowFrom });
    return verdict.decision;
  }

  watchSample(shape: ArmShape, minutes: number): this {
    const windowFrom = this.at();
    this.tick(minutes * 60);
    const startedAt = this.snapshot.steps[this.snapshot.stepIndex]?.startedAt ?? this.at();
    const t = (Date.parse(this.at()) - Date.parse(startedAt)) / 1000;
    return this.input({ type: 'watch_sample', t, arm: arm(shape, 1, minutes), windowFrom });
  }
}

export function makeRelease(
  id: string,
  version: string,
  previousVersion: string,
  type: ReleaseType,
  risk: Release['risk'],
  createdAt: string,
  createdBy: string,
): Release {
  return { id, service: 'payments', version, previousVersion, type, risk, createdAt, createdBy };
}

const STABLE: ArmShape = { rpm: 60000, errorRate: 0.0005, paymentErrorRate: 0 };
const GOOD: ArmShape = { rpm: 60000, errorRate: 0.0006, paymentErrorRate: 0 };

/** A successful minor release with observations, learnings and an action item. */
export function successfulMinorDriver(): HistoryDriver {
  const rel = makeRelease(
    'rel-240',
    'v2.4.0',
    'v2.3.1',
    'minor',
    'medium',
    '2026-03-10T13:58:00.000Z',
    '@sarah',
  );
  const d = new HistoryDriver('ro-240', rel, minorPlan(), '2026-03-10T14:00:00.000Z');
  d.input({ type: 'start' });
  d.startStep().tick(2).checks(['health']); // preflight
  d.tick(1).startStep().tick(40).deployed('canary');
  d.startStep().tick(15).checks(['health', 'login-flow']); // smoke
  // canary 5 %, 25 %, 50 %: ten one-minute batches each, promote on the tenth
  for (const [i, weight] of [5, 25, 50].entries()) {
    d.tick(1).startStep();
    for (let m = 1; m <= 10; m += 1) {
      d.batch(STABLE, GOOD, m === 10 ? 'promote' : 'continue');
      if (weight === 5 && m === 5)
        d.observe('P99 holding steady, checkout flow verified by hand.', '@sarah');
      if (weight === 25 && m === 4) {
        d.observe(
          'Noticed minor increase in DB connections (75 → 82), but well within limits.',
          '@mike',
        );
      }
    }
    void i;
  }
  d.tick(1).startStep().tick(300).input({ type: 'hold_elapsed' }); // 100 % hold
  d.startStep().tick(45).deployed('stable');
  d.startStep();
  for (let k = 0; k < 6; k += 1) d.watchSample(GOOD, 5);
  d.input({ type: 'hold_elapsed' });
  d.tick(60).observe(
    'learning: the new connection pooling raised DB connections but stayed within bounds',
    '@mike',
  );
  d.observe('action: lower the DB connection alert threshold from 100 to 90', '@mike');
  return d;
}

/** A high-risk release rolled back by the judge at 5 %: 5xx on the critical endpoint. */
export function rolledBackMajorDriver(): HistoryDriver {
  const rel = makeRelease(
    'rel-250',
    'v2.5.0',
    'v2.4.0',
    'minor',
    'high',
    '2026-03-12T09:58:00.000Z',
    '@alex',
  );
  const d = new HistoryDriver('ro-250', rel, minorPlan(), '2026-03-12T10:00:00.000Z');
  d.input({ type: 'start' });
  d.startStep().tick(2).checks(['health']);
  d.tick(1).startStep().tick(40).deployed('canary');
  d.startStep().tick(15).checks(['health', 'login-flow']);
  d.tick(1).startStep();
  const BAD: ArmShape = {
    rpm: 60000,
    errorRate: 0.002,
    paymentErrorRate: 0.15,
    shares: SLOW,
    memory: 0.71,
  };
  d.batch(STABLE, GOOD);
  d.batch(STABLE, BAD);
  d.observe(
    'Seeing "connection timeout" errors to the payment gateway in the canary logs.',
    '@alex',
  );
  const findings: Finding[] = [
    {
      gate: 'critical-endpoint-5xx',
      metric: 'endpoint_errors',
      observed: { canary: 90, baseline: 0 },
      threshold: 0,
      message: '90 server errors on /v1/payment/process (critical endpoint) on the canary',
    },
    {
      gate: 'error-rate-pause',
      metric: 'error_rate',
      observed: { canary: 0.0317, baseline: 0.0004 },
      threshold: 0.001,
      eValue: 2500,
      pValue: 0.0004,
      ratioInterval: [12.1, 140.5],
      message: 'error rate 3.17 % vs 0.04 % baseline (more than 0.1 % above)',
    },
  ];
  d.batch(STABLE, BAD, 'rollback', {
    reason: 'any 5xx on a critical endpoint: 90 errors on /v1/payment/process',
    decidedBy: 'critical-endpoint-5xx',
    findings,
  });
  d.tick(2).input({ type: 'weight_applied', weight: 0, reason: 'rollback' });
  d.tick(25).input({
    type: 'rollback_done',
    message: 'rollback script exited 0',
    output: 'restoring v2.4.0\nservice payments active',
  });
  d.tick(120).observe('Rollback verified. Error rate back to the 0.04 % baseline.', '@alex');
  d.observe(
    'learning: the payment gateway timeout came from a missing TLS certificate in the new image',
    '@alex',
  );
  return d;
}

/** A low-risk patch, two days earlier. */
export function quickPatchDriver(): HistoryDriver {
  const rel = makeRelease(
    'rel-231',
    'v2.3.1',
    'v2.3.0',
    'patch',
    'low',
    '2026-03-08T16:28:00.000Z',
    '@jen',
  );
  const d = new HistoryDriver('ro-231', rel, patchPlan(), '2026-03-08T16:30:00.000Z');
  d.input({ type: 'start' });
  d.startStep().tick(30).deployed('canary');
  d.startStep().tick(12).checks(['health', 'login-flow']);
  d.tick(1).startStep();
  const FASTER: ArmShape = {
    rpm: 60000,
    errorRate: 0.0004,
    paymentErrorRate: 0,
    shares: [0.4, 0.5, 0.08, 0.015, 0.004, 0.001],
  };
  for (let m = 1; m <= 5; m += 1) d.batch(STABLE, FASTER, m === 5 ? 'promote' : 'continue');
  d.observe('Canary looks perfect. Latency actually improved.', '@jen');
  d.tick(1).startStep().tick(120).input({ type: 'hold_elapsed' });
  d.startStep().tick(30).deployed('stable');
  d.startStep();
  for (let k = 0; k < 3; k += 1) d.watchSample(FASTER, 10);
  d.input({ type: 'hold_elapsed' });
  return d;
}

export const successfulMinor = (): TimelineEvent[] => successfulMinorDriver().events;
export const rolledBackMajor = (): TimelineEvent[] => rolledBackMajorDriver().events;
export const quickPatch = (): TimelineEvent[] => quickPatchDriver().events;

export function syntheticHistory(): TimelineEvent[][] {
  return [quickPatch(), successfulMinor(), rolledBackMajor()];
}

export const NOW = '2026-03-13T09:00:00.000Z';
