/**
 * The release log's timeline (seed 000): what people observed (the `observe` command) and
 * what rollgate decided, in plain words, one line per moment that matters. Routine events
 * (each judge batch, each router call) are folded into the decision lines they support.
 */
import type { PlanStep } from '../plan/plan-types.js';
import type { TimelineEvent } from '../rollout/rollout-types.js';
import { evidenceWords } from './arm-totals.js';
import { duration, ms, percent, sentence } from './record-format.js';
import { attemptBatches, type RolloutHistory } from './rollout-history.js';

export interface TimelineLine {
  at: string;
  actor: string;
  text: string;
}

/** Observation prefixes that file the text under the entry's learnings or action items. */
const LEARNING = /^(learning|learned|lesson)\s*:\s*/i;
const ACTION = /^(action|action item|todo)\s*:\s*/i;

export interface ObservationNotes {
  learnings: string[];
  actionItems: string[];
}

/** Observations written as "learning: …" or "action: …" (ADR 0080). */
export function observationNotes(h: RolloutHistory): ObservationNotes {
  const learnings: string[] = [];
  const actionItems: string[] = [];
  for (const e of h.events) {
    if (e.type !== 'observation.added') continue;
    const text = String(e.data.text ?? e.message);
    if (LEARNING.test(text)) learnings.push(text.replace(LEARNING, '').trim());
    else if (ACTION.test(text)) actionItems.push(text.replace(ACTION, '').trim());
  }
  return { learnings, actionItems };
}

function stepWords(step: PlanStep | undefined): string {
  if (step === undefined) return 'the step';
  switch (step.kind) {
    case 'traffic':
      return step.weight >= 100 ? 'full traffic (100 %)' : `the ${step.weight} % canary`;
    case 'watch':
      return `the '${step.window}' watch window`;
    case 'checks':
      return `${step.phase} checks`;
    case 'approval':
      return `approval '${step.name}'`;
    case 'deploy':
      return `the ${step.target} deploy`;
  }
}

const batchesUntil = attemptBatches;

function checksOf(h: RolloutHistory, step: number): TimelineEvent[] {
  return h.events.filter(
    (e) => (e.type === 'check.passed' || e.type === 'check.failed') && e.data.step === step,
  );
}

function line(e: TimelineEvent, text: string, actor = e.actor): TimelineLine {
  return { at: e.at, actor, text: sentence(text) };
}

function stepCompleted(h: RolloutHistory, e: TimelineEvent): TimelineLine | undefined {
  const i = e.data.step as number;
  const s = h.steps[i];
  const step = s?.step;
  if (step === undefined || s === undefined) return undefined;
  const by = String(e.data.by ?? '');
  const held = s.startedAt ? duration((ms(e.at) - ms(s.startedAt)) / 1000) : undefined;
  switch (step.kind) {
    case 'checks': {
      const checks = checksOf(h, i);
      const names = checks.map((c) => String(c.data.check)).join(', ');
      return line(e, `${step.phase} checks passed${names ? ` (${names})` : ''}`);
    }
    case 'deploy':
      return undefined; // deployer.deployed says it
    case 'approval':
      return undefined; // approval.granted says it
    case 'traffic': {
      const evidence = evidenceWords(batchesUntil(s, e.at));
      const head =
        by === 'judge'
          ? `Promoting past ${stepWords(step)} after ${held}: the judge found no regression`
          : by === 'hold'
            ? `${stepWords(step)} held ${held}`
            : `${stepWords(step)} ended by ${by}${held ? ` after ${held}` : ''}`;
      return line(e, evidence ? `${head}. ${sentence(evidence)}` : head);
    }
    case 'watch': {
      const evidence = evidenceWords(batchesUntil(s, e.at), 'at');
      const head = `Watch window '${step.window}' passed (${held})`;
      return line(e, evidence ? `${head}. ${sentence(evidence)}` : head);
    }
  }
}

function rollbackStarted(h: RolloutHistory, e: TimelineEvent): TimelineLine {
  const to = String(e.data.to ?? h.release.previousVersion);
  const reason = String(e.data.reason ?? '');
  const trigger = String(e.data.trigger ?? '');
  const gate = typeof e.data.decidedBy === 'string' ? ` (gate ${e.data.decidedBy})` : '';
  const s = h.steps[e.data.step as number];
  const evidence =
    trigger === 'judge' || trigger === 'watch'
      ? evidenceWords(batchesUntil(s, e.at), 'at')
      : undefined;
  const who = trigger === 'person' ? '' : ' automatically';
  return line(
    e,
    `🚨 Rolling back to ${to}${who}: ${reason}${gate}${evidence ? `. ${sentence(evidence)}` : ''}`,
  );
}

function rollbackCompleted(h: RolloutHistory, e: TimelineEvent): TimelineLine {
  const base = h.steps
    .flatMap((s) => s.batches)
    .filter((b) => b.baseline !== undefined && ms(b.at) <= ms(e.at));
  const last = base[base.length - 1]?.baseline;
  const tail =
    last && last.requests > 0
      ? `; ${h.release.previousVersion} was serving at an error rate of ${percent(last.errors / last.requests)} in the last batch`
      : '';
  return line(e, `Rollback complete: ${h.release.previousVersion} restored${tail}`);
}

/** The release log's timeline lines, in time order. */
export function releaseTimeline(h: RolloutHistory): TimelineLine[] {
  const out: TimelineLine[] = [];
  const r = h.release;
  for (const e of h.events) {
    const d = e.data;
    const step = typeof d.step === 'number' ? h.steps[d.step]?.step : undefined;
    switch (e.type) {
      case 'rollout.created':
        out.push(
          line(
            e,
            `Deployment of ${r.version} requested (${r.type} release, ${r.risk} risk, replaces ${r.previousVersion}): ${h.plan.strategy} in ${h.environment}, ${h.plan.steps.length} steps`,
          ),
        );
        break;
      case 'step.started':
        if (step?.kind === 'traffic') {
          out.push(
            line(
              e,
              step.weight >= 100
                ? `Full rollout: ${r.version} takes 100 % of traffic`
                : `Canary at ${step.weight} %${step.analysis ? '' : ' (hold only, no analysis)'}`,
            ),
          );
        } else if (step?.kind === 'watch') {
          out.push(
            line(
              e,
              `Post-release watch '${step.window}' started (${duration(step.durationSeconds)})`,
            ),
          );
        }
        break;
      case 'step.completed': {
        const l = stepCompleted(h, e);
        if (l) out.push(l);
        break;
      }
      case 'step.skipped':
        out.push(line(e, `Skipped ${stepWords(step)} (promote --full)`));
        break;
      case 'deployer.deployed':
        out.push(line(e, `${String(d.version)} deployed to ${String(d.target)}`));
        break;
      case 'check.failed':
        out.push(line(e, `Check '${String(d.check)}' failed: ${String(d.message)}`));
        break;
      case 'approval.granted':
        out.push(line(e, `Approved ${stepWords(step)}`));
        break;
      case 'rollout.paused':
        out.push(line(e, `Paused at ${stepWords(step)}: ${String(d.reason)}`));
        break;
      case 'rollout.resumed':
        if (d.restartStep === true) out.push(line(e, `Resumed; ${stepWords(step)} starts again`));
        else out.push(line(e, 'Resumed'));
        break;
      case 'rollback.started':
        out.push(rollbackStarted(h, e));
        break;
      case 'rollback.completed':
        out.push(rollbackCompleted(h, e));
        break;
      case 'rollout.failed':
        out.push(line(e, e.message));
        break;
      case 'rollout.retried':
        out.push(line(e, `Retrying the rollback to ${r.previousVersion}`));
        break;
      case 'rollout.completed':
        out.push(
          line(e, `Deployment complete: ${r.version} serves all traffic in ${h.environment}`),
        );
        break;
      case 'observation.added': {
        const text = String(d.text ?? e.message);
        if (!LEARNING.test(text) && !ACTION.test(text)) out.push(line(e, text));
        break;
      }
    }
  }
  return out;
}

/** "0.05 %" style summary of an arm, used by other records. */
export function rateWords(errors: number, requests: number): string {
  return requests > 0 ? percent(errors / requests) : 'no data';
}
