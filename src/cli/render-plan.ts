import type { PlanStep } from '../core/plan/plan-types.js';
import type { PlanDetails } from '../core/plan/resolve-plan.js';
import { describeGate } from '../core/policy/complete-gate.js';
import { formatDuration } from '../core/policy/units.js';
import { textTable } from './text-table.js';

function stepRow(step: PlanStep, i: number): string[] {
  const base = [String(i + 1), step.name, step.kind];
  switch (step.kind) {
    case 'traffic':
      return [
        ...base,
        `${step.weight}%`,
        formatDuration(step.minHoldSeconds),
        formatDuration(step.maxHoldSeconds),
        step.analysis
          ? `judge; ≥ ${step.minCanaryRequests} canary requests; on timeout ${step.onTimeout}`
          : 'no analysis',
      ];
    case 'checks':
      return [...base, '', '', '', step.checks.length ? step.checks.join(', ') : '(no checks)'];
    case 'deploy':
      return [...base, '', '', '', `to ${step.target}`];
    case 'approval':
      return [
        ...base,
        '',
        '',
        step.timeoutSeconds === undefined ? '' : formatDuration(step.timeoutSeconds),
        step.approvers.length ? `by ${step.approvers.join(', ')}` : 'by any operator',
      ];
    case 'watch':
      return [...base, '', formatDuration(step.durationSeconds), '', `window ${step.window}`];
  }
}

/** The human rendering of `rollgate plan`: steps, expected duration, gates, requirements. */
export function renderPlan(details: PlanDetails): string {
  const { plan } = details;
  const rows = plan.steps.map(stepRow);
  const out = [
    `plan: ${plan.service} / ${plan.environment}, ${plan.releaseType} release (strategy ${plan.strategy})`,
    '',
    textTable(['#', 'step', 'kind', 'weight', 'hold', 'max hold', 'details'], rows),
    '',
    `expected duration: ${formatDuration(plan.expectedSeconds)} of holds (at most ${formatDuration(details.maxSeconds)}), then ${formatDuration(details.watchSeconds)} of watch windows`,
    '',
    `gates (judge: α ${plan.judge.alpha}, β ${plan.judge.beta}; no data for ${formatDuration(plan.judge.maxNoDataSeconds)} pauses; data older than ${formatDuration(plan.judge.staleAfterSeconds)} is stale):`,
    textTable(
      ['gate', 'rule'],
      plan.judge.gates.map((g) => [g.name, describeGate(g)]),
    ),
  ];
  if (plan.judge.criticalEndpoints.length > 0) {
    out.push(`critical endpoints: ${plan.judge.criticalEndpoints.join(', ')}`);
  }
  if (details.skippedGates.length > 0) {
    out.push(
      '',
      'skipped gates:',
      textTable(
        ['gate', 'why'],
        details.skippedGates.map((g) => [g.name, g.reason]),
      ),
    );
  }
  if (details.requirements.length > 0) {
    out.push('', 'pre-release requirements:');
    for (const r of details.requirements) {
      out.push(`  - ${r.description}${r.check ? ` (verified by check ${r.check})` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
