import type { RawIssue } from './policy-issue.js';
import { parseDuration, parsePercent } from './units.js';

/**
 * The ordering rules of a strategy: the canary is deployed before it gets traffic,
 * weights never go down, the last traffic step reaches 100 % (or the strategy deploys
 * straight to stable), and `maxHold` is not shorter than `hold`. Run on the raw file
 * data, so these are reported in the same run as structural errors elsewhere in it.
 */
export function strategyIssues(data: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  const strategies = isRecord(data) ? data.strategies : undefined;
  if (!isRecord(strategies)) return issues;
  for (const [name, steps] of Object.entries(strategies)) {
    if (!Array.isArray(steps)) continue;
    let last = 0;
    let lastIndex = -1;
    let lastStep = -1;
    let canaryDeployed = false;
    let stableDeployed = false;
    steps.forEach((step: unknown, i) => {
      if (!isRecord(step)) return;
      if (step.type === 'deploy') {
        if (step.target === 'canary') canaryDeployed = true;
        if (step.target === 'stable') stableDeployed = true;
      }
      if (step.type !== 'traffic') return;
      lastStep = i;
      const weight = weightOf(step.weight);
      if (weight === undefined) return;
      const at = ['strategies', name, i, 'weight'];
      if (weight > 0 && !canaryDeployed) {
        issues.push({
          path: at,
          message: 'traffic goes to the canary before any `deploy` step with `target: canary`',
          hint: 'add `- { type: deploy, target: canary }` before the first traffic step',
        });
      }
      if (weight < last) {
        issues.push({
          path: at,
          message: `weights must not go down: ${weight}% after ${last}% at strategies.${name}[${lastIndex}]`,
        });
      }
      const hold = typeof step.hold === 'string' ? parseDuration(step.hold) : undefined;
      const maxHold = typeof step.maxHold === 'string' ? parseDuration(step.maxHold) : undefined;
      if (hold !== undefined && maxHold !== undefined && maxHold < hold) {
        issues.push({
          path: ['strategies', name, i, 'maxHold'],
          message: '`maxHold` is shorter than `hold`',
        });
      }
      if (weight >= last) {
        last = weight;
        lastIndex = i;
      }
    });
    if (lastStep >= 0 && last < 100) {
      issues.push({
        path: ['strategies', name, lastStep, 'weight'],
        message: `the strategy never reaches 100 %: its highest traffic step sets ${last}%`,
        hint: 'end with `- { type: traffic, weight: 100% }`',
      });
    }
    if (lastStep < 0 && !stableDeployed && steps.length > 0) {
      issues.push({
        path: ['strategies', name],
        message:
          'the strategy never reaches 100 %: it has no traffic step and no `deploy` with `target: stable`',
      });
    }
  }
  return issues;
}

function weightOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const fraction = parsePercent(value);
    return fraction === undefined ? undefined : fraction * 100;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
