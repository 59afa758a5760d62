/**
 * The rollout state machine (pure). States: pending → running(step i) ⇄ paused(step i,
 * reason) → completed, or → rolling_back → rolled_back | failed. People move it with
 * commands (rollout-commands.ts); the engine reports what its ports did as inputs (here).
 * Every transition is a list of events; the snapshot is their fold (rollout-reducer.ts).
 * Time is passed in; nothing here reads a clock.
 */
import { RollgateError } from '../errors/rollgate-error.js';
import type { ArmBatch, Batch, Verdict } from '../judge/judge-types.js';
import type { ResolvedPlan } from '../plan/plan-types.js';
import { applyCommand } from './rollout-commands.js';
import { SYSTEM_ACTOR } from './rollout-events.js';
import { advance, currentStep, describeStep, pause, startRollback } from './rollout-moves.js';
import { applyEvent, type RolloutCreatedData, rebuildSnapshot } from './rollout-reducer.js';
import {
  type Transition,
  TransitionBuilder,
  type TransitionContext,
} from './rollout-transition.js';
import type { Release, RolloutSnapshot, RolloutState } from './rollout-types.js';
import { evaluateWatchGates } from './watch-gates.js';

export interface CheckOutcome {
  name: string;
  ok: boolean;
  durationMs: number;
  message: string;
}

/** What the engine reports back: each input is one commit. */
export type EngineInput =
  | { type: 'start' }
  /** Start the current step; for a traffic step, `weight` is what the router now has. */
  | { type: 'step_started'; weight?: number }
  | { type: 'weight_applied'; weight: number; reason: 'resume' | 'rollback' | 'step' }
  | {
      type: 'call_failed';
      port: 'router' | 'deployer' | 'check';
      op: string;
      attempt: number;
      attempts: number;
      error: string;
      retryInMs?: number;
    }
  | { type: 'deployed'; target: 'canary' | 'stable'; message: string; output?: string }
  | { type: 'checks_done'; results: CheckOutcome[] }
  | {
      type: 'verdict';
      /** Seconds since the step started. */
      t: number;
      batch: Batch | undefined;
      verdict: Verdict;
      windowFrom: string;
      /** The window's end; the next window starts here, so windows tile. Default: the commit time. */
      windowTo?: string;
      /** Why there is no batch, when there is none. */
      noDataReason?: string;
      /** The metric source read (its port name, e.g. `prometheus`): the evidence's origin. */
      source?: string;
    }
  | {
      type: 'watch_sample';
      t: number;
      arm: ArmBatch | undefined;
      windowFrom: string;
      windowTo?: string;
      noDataReason?: string;
      source?: string;
    }
  | { type: 'hold_elapsed' }
  | { type: 'pause'; reason: string }
  | { type: 'rollback'; reason: string; trigger: string; page?: boolean }
  | { type: 'rollback_done'; message: string; output?: string }
  | { type: 'rollback_failed'; error: string }
  | { type: 'error'; error: string };

function expectState(s: RolloutSnapshot, states: RolloutState[], input: EngineInput): void {
  if (!states.includes(s.state)) {
    throw new RollgateError(
      'internal',
      `engine input "${input.type}" does not apply to a ${s.state} rollout (${s.id})`,
    );
  }
}

function ms(iso: string): number {
  return Date.parse(iso);
}

/** The first transition of a rollout: one `rollout.created` event carrying release and plan. */
export function createRollout(
  rolloutId: string,
  release: Release,
  plan: ResolvedPlan,
  actor: string,
  ctx: TransitionContext,
): Transition {
  if (plan.steps.length === 0) {
    throw new RollgateError('invalid_input', `the plan for ${release.service} has no steps`);
  }
  const data: RolloutCreatedData = {
    epoch: 1,
    rolloutId,
    environment: plan.environment,
    release,
    plan,
  };
  const event = {
    at: ctx.at,
    actor,
    type: 'rollout.created',
    message: `${release.service} ${release.version} (${release.type}, replaces ${release.previousVersion}) to ${plan.environment}: ${plan.strategy}, ${plan.steps.length} steps`,
    data: data as unknown as Record<string, unknown>,
  };
  return { next: applyEvent(undefined, event), events: [event], outbox: [] };
}

/** Apply what the engine observed or did; returns the transition to commit. */
export function applyEngineInput(
  s: RolloutSnapshot,
  input: EngineInput,
  ctx: TransitionContext,
): Transition {
  const b = new TransitionBuilder(s, ctx);
  const i = s.stepIndex;
  const step = currentStep(s);
  const label = describeStep(step, i);
  switch (input.type) {
    case 'start':
      expectState(s, ['pending'], input);
      b.add(
        'rollout.started',
        `rollout of ${s.service} ${s.version} started in ${s.environment}`,
        { steps: s.plan.steps.length, expectedSeconds: s.plan.expectedSeconds },
        SYSTEM_ACTOR,
        { type: 'rollout.started' },
      );
      break;
    case 'step_started': {
      expectState(s, ['running'], input);
      if (step === undefined || s.steps[i]?.state !== 'pending') {
        throw new RollgateError('internal', `${label} of ${s.id} is not pending`);
      }
      if (step.kind === 'traffic') {
        const weight = input.weight ?? step.weight;
        b.add('router.weight_set', `canary weight set to ${weight} %`, {
          weight,
          reason: 'step',
          step: i,
        });
      }
      b.add('step.started', `${label} started`, {
        step: i,
        kind: step.kind,
        name: step.name,
        ...(step.kind === 'traffic' ? { weight: step.weight } : {}),
      });
      const early = s.steps[i]?.detail?.promoteOnStart;
      if (step.kind === 'traffic' && typeof early === 'string') {
        advance(b, early, `promoted by ${early}`);
      }
      if (step.kind === 'approval') {
        const who = step.approvers.length > 0 ? ` (approvers: ${step.approvers.join(', ')})` : '';
        pause(b, `awaiting approval for '${step.name}'${who}`, SYSTEM_ACTOR, { approval: true });
      }
      break;
    }
    case 'weight_applied':
      expectState(s, ['running', 'paused', 'rolling_back'], input);
      b.add('router.weight_set', `canary weight set to ${input.weight} % (${input.reason})`, {
        weight: input.weight,
        reason: input.reason,
      });
      break;
    case 'call_failed':
      b.add(
        `${input.port}.call_failed`,
        `${input.port} ${input.op} failed (attempt ${input.attempt} of ${input.attempts}): ${input.error}`,
        {
          port: input.port,
          op: input.op,
          attempt: input.attempt,
          attempts: input.attempts,
          error: input.error,
          ...(input.retryInMs === undefined ? {} : { retryInMs: input.retryInMs }),
        },
      );
      break;
    case 'deployed':
      expectState(s, ['running'], input);
      b.add('deployer.deployed', `deployed ${s.version} to ${input.target}: ${input.message}`, {
        step: i,
        target: input.target,
        version: s.version,
        ...(input.output === undefined ? {} : { output: input.output }),
      });
      advance(b, 'deployer', `${s.version} deployed to ${input.target}`);
      break;
    case 'checks_done': {
      expectState(s, ['running'], input);
      for (const r of input.results) {
        b.add(
          r.ok ? 'check.passed' : 'check.failed',
          `check '${r.name}' ${r.ok ? 'passed' : 'failed'}: ${r.message}`,
          { step: i, check: r.name, durationMs: r.durationMs, message: r.message },
        );
      }
      const failed = input.results.find((r) => !r.ok);
      if (failed) {
        startRollback(b, {
          reason: `check '${failed.name}' failed: ${failed.message}`,
          trigger: 'check',
        });
      } else {
        advance(b, 'checks', `${input.results.length} checks passed`);
      }
      break;
    }
    case 'verdict':
      expectState(s, ['running'], input);
      verdict(b, input);
      break;
    case 'watch_sample':
      expectState(s, ['running'], input);
      watchSample(b, input);
      break;
    case 'hold_elapsed':
      expectState(s, ['running'], input);
      advance(
        b,
        'hold',
        step?.kind === 'watch' ? `watch window '${step.window}' passed` : 'hold time elapsed',
      );
      break;
    case 'pause':
      expectState(s, ['running'], input);
      pause(b, input.reason);
      break;
    case 'rollback':
      expectState(s, ['running', 'pending', 'paused'], input);
      startRollback(b, input);
      break;
    case 'rollback_done':
      expectState(s, ['rolling_back'], input);
      b.add('deployer.rolled_back', `${s.previousVersion} restored: ${input.message}`, {
        version: s.previousVersion,
        ...(input.output === undefined ? {} : { output: input.output }),
      });
      b.add(
        'rollback.completed',
        `${s.service} rolled back to ${s.previousVersion} in ${s.environment}`,
        { version: s.previousVersion },
        SYSTEM_ACTOR,
        { type: 'rollout.rolled_back' },
      );
      break;
    case 'rollback_failed':
      expectState(s, ['rolling_back'], input);
      b.add(
        'rollout.failed',
        `ROLLBACK FAILED: ${s.service} in ${s.environment} may still serve ${s.version} — a person must act now: ${input.error}`,
        { error: input.error, weight: s.weight, version: s.version, to: s.previousVersion },
        SYSTEM_ACTOR,
        { type: 'rollout.failed', page: true },
      );
      break;
    case 'error':
      b.add('engine.error', `engine error on ${label}: ${input.error}`, { error: input.error });
      break;
  }
  return b.build();
}

type VerdictInput = Extract<EngineInput, { type: 'verdict' }>;
type WatchInput = Extract<EngineInput, { type: 'watch_sample' }>;

function noDataSince(b: TransitionBuilder, noData: boolean, windowFrom: string): string | null {
  if (!noData) return null;
  const prev = b.current.steps[b.current.stepIndex]?.detail?.noDataSince;
  return typeof prev === 'string' ? prev : windowFrom;
}

/** `<text>. Last error: <why>`: a pause without data says what is down. */
function withLastNoData(text: string, reason: string | undefined): string {
  return reason ? `${text.replace(/\.$/, '')}. Last error: ${reason}` : text;
}

/** After the policy's maxNoDataSeconds without data: pause, never promote. */
function pauseIfNoDataTooLong(
  b: TransitionBuilder,
  since: string | null,
  noDataReason: string | undefined,
): boolean {
  if (since === null) return false;
  const limit = b.current.plan.judge.maxNoDataSeconds;
  const gap = (ms(b.at) - ms(since)) / 1000;
  if (gap < limit) return false;
  pause(
    b,
    withLastNoData(
      `metrics unavailable: no data for ${Math.round(gap)} s (limit ${limit} s)`,
      noDataReason,
    ),
    SYSTEM_ACTOR,
    {
      metricsUnavailable: true,
    },
  );
  return true;
}

function verdict(b: TransitionBuilder, input: VerdictInput): void {
  const s = b.current;
  const v = input.verdict;
  const noData = input.batch === undefined;
  let decision = v.decision;
  let override: string | undefined;
  if (noData && (decision === 'promote' || decision === 'continue')) {
    override =
      decision === 'promote' ? 'promote refused: this batch has no data' : 'no data in this batch';
    decision = 'inconclusive';
  }
  const since = noDataSince(b, noData, input.windowFrom);
  const acting = decision !== 'continue' && decision !== 'inconclusive';
  const message = override
    ? `${override}${input.noDataReason ? `: ${input.noDataReason}` : ''}`
    : v.reason;
  b.add('judge.verdict', `${decision}: ${message}`, {
    step: s.stepIndex,
    t: input.t,
    decision,
    ...(decision === v.decision ? {} : { judgeDecision: v.decision }),
    reason: v.reason,
    ...(v.decidedBy === undefined ? {} : { decidedBy: v.decidedBy }),
    exposure: v.exposure,
    rates: v.rates,
    pValue: v.pValue,
    ...(acting ? { findings: v.findings } : {}),
    batch: input.batch ?? null,
    windowFrom: input.windowFrom,
    ...(input.windowTo === undefined ? {} : { windowTo: input.windowTo }),
    noDataSince: since,
    ...(input.noDataReason === undefined ? {} : { noDataReason: input.noDataReason }),
    ...(input.source === undefined ? {} : { source: input.source }),
  });
  switch (decision) {
    case 'promote':
      advance(b, 'judge', v.reason);
      return;
    case 'pause':
      // The judge's own no-data limit: say what is down, and mark it like the machine's.
      if (noData) {
        pause(b, withLastNoData(v.reason, input.noDataReason), SYSTEM_ACTOR, {
          decidedBy: v.decidedBy,
          metricsUnavailable: true,
        });
      } else pause(b, v.reason, SYSTEM_ACTOR, { decidedBy: v.decidedBy });
      return;
    case 'rollback':
    case 'halt':
      startRollback(b, {
        reason: v.reason,
        trigger: 'judge',
        page: decision === 'halt',
        ...(v.decidedBy === undefined ? {} : { decidedBy: v.decidedBy }),
      });
      return;
    default:
      pauseIfNoDataTooLong(b, since, input.noDataReason);
  }
}

function watchSample(b: TransitionBuilder, input: WatchInput): void {
  const s = b.current;
  const since = noDataSince(b, input.arm === undefined, input.windowFrom);
  const breaches =
    input.arm === undefined
      ? []
      : evaluateWatchGates(s.plan.judge.gates, input.arm, s.plan.judge.criticalEndpoints);
  const prev = (s.steps[s.stepIndex]?.detail?.breachSince ?? {}) as Record<string, string>;
  const breachSince: Record<string, string> = {};
  const firing = [];
  for (const br of breaches) {
    const start = prev[br.gate] ?? input.windowFrom;
    breachSince[br.gate] = start;
    if ((ms(b.at) - ms(start)) / 1000 >= br.forSeconds) firing.push(br);
  }
  const severe = firing.find((f) => f.action !== 'pause');
  const decision = severe ? 'rollback' : firing.length > 0 ? 'pause' : input.arm ? 'ok' : 'no_data';
  b.add(
    'watch.sample',
    firing.length > 0
      ? `${decision}: ${firing.map((f) => f.message).join('; ')}`
      : `${decision}${input.noDataReason ? `: ${input.noDataReason}` : ''}`,
    {
      step: s.stepIndex,
      t: input.t,
      decision,
      arm: input.arm ?? null,
      breaches,
      breachSince: Object.keys(breachSince).length > 0 ? breachSince : null,
      windowFrom: input.windowFrom,
      ...(input.windowTo === undefined ? {} : { windowTo: input.windowTo }),
      noDataSince: since,
      ...(input.source === undefined ? {} : { source: input.source }),
    },
  );
  if (severe) {
    startRollback(b, {
      reason: `post-release watch: ${severe.message}`,
      trigger: 'watch',
      decidedBy: severe.gate,
    });
  } else if (firing[0]) {
    pause(b, `post-release watch: ${firing[0].message}`, SYSTEM_ACTOR, {
      decidedBy: firing[0].gate,
    });
  } else {
    pauseIfNoDataTooLong(b, since, input.noDataReason);
  }
}

/** The machine as one object, for callers that prefer `RolloutMachine.command(…)`. */
export const RolloutMachine = {
  create: createRollout,
  command: applyCommand,
  input: applyEngineInput,
  rebuild: rebuildSnapshot,
} as const;
