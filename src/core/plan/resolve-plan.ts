import { RollgateError } from '../errors/rollgate-error.js';
import { builtinLayer } from '../policy/compile-policy.js';
import { completeGate } from '../policy/complete-gate.js';
import { missingCapability } from '../policy/metric-capabilities.js';
import type { Policy, PolicyGate, RequirementPolicy } from '../policy/policy-types.js';
import type { ReleaseType } from '../rollout/rollout-types.js';
import type { GateSpec, JudgePolicy, PlanStep, ResolvedPlan } from './plan-types.js';

export interface PlanRequest {
  releaseType: ReleaseType;
  service?: string;
  environment?: string;
}

/** A resolved plan with what a person reading it also wants to know. */
export interface PlanDetails {
  plan: ResolvedPlan;
  /** Gates that do not apply here, and why (optional gates without their metric, …). */
  skippedGates: { name: string; reason: string }[];
  /** Pre-release requirements for this release type (seed 002). */
  requirements: RequirementPolicy[];
  /** Sum of the watch windows (not in expectedSeconds). */
  watchSeconds: number;
  /** Sum of the maximum holds: the longest the traffic steps can take. */
  maxSeconds: number;
}

const STANDARD_PHASES = ['preflight', 'smoke', 'verification'];

/** The steps, gates and judge settings one rollout executes. Pure. */
export function resolvePlan(policy: Policy, request: PlanRequest): ResolvedPlan {
  return resolvePlanDetails(policy, request).plan;
}

export function resolvePlanDetails(policy: Policy, request: PlanRequest): PlanDetails {
  const serviceName = pick('service', request.service, Object.keys(policy.services), undefined);
  const service = policy.services[serviceName] as Policy['services'][string];
  const environmentName = pick(
    'environment',
    request.environment,
    Object.keys(service.environments),
    'production',
  );
  const environment = service.environments[
    environmentName
  ] as (typeof service.environments)[string];
  const releaseType = policy.releaseTypes[request.releaseType];
  if (!releaseType) {
    throw new RollgateError('invalid_input', `unknown release type \`${request.releaseType}\``, {
      hint: `use one of: ${Object.keys(policy.releaseTypes).join(', ')}`,
    });
  }
  const strategyName = environment.strategy ?? releaseType.strategy;
  const strategy = policy.strategies[strategyName] ?? [];

  const steps: PlanStep[] = [];
  const watchWindows = Object.values(policy.watch);
  for (const step of strategy) {
    switch (step.type) {
      case 'checks':
        steps.push({
          kind: 'checks',
          name: step.name ?? `${step.phase} checks`,
          phase: step.phase,
          checks:
            step.checks ??
            Object.entries(service.checks)
              .filter(([, c]) => (c.phases ?? STANDARD_PHASES).includes(step.phase))
              .map(([name]) => name),
        });
        break;
      case 'deploy':
        steps.push({
          kind: 'deploy',
          name: step.name ?? `deploy ${step.target}`,
          target: step.target,
        });
        break;
      case 'traffic': {
        const hold = step.hold ?? 0;
        steps.push({
          kind: 'traffic',
          name: step.name ? `${step.name} ${step.weight}%` : `${step.weight}%`,
          weight: step.weight,
          minHoldSeconds: hold,
          maxHoldSeconds: step.maxHold ?? hold,
          minCanaryRequests: step.minRequests ?? policy.traffic.minRequests,
          onTimeout: step.onTimeout ?? policy.traffic.onTimeout,
          analysis: step.analysis ?? true,
        });
        break;
      }
      case 'approval':
        steps.push({
          kind: 'approval',
          name: step.name ?? 'approval',
          approvers: step.approvers ?? [],
          ...(step.timeout === undefined ? {} : { timeoutSeconds: step.timeout }),
        });
        break;
      case 'watch':
        for (const window of step.windows ?? watchWindows.map((w) => w.name)) {
          const w = policy.watch[window];
          if (!w) continue;
          steps.push({
            kind: 'watch',
            name: step.name && step.windows?.length === 1 ? step.name : `watch ${window}`,
            window,
            durationSeconds: w.toSeconds - w.fromSeconds,
          });
        }
        break;
    }
  }
  uniqueNames(steps);

  const skippedGates: PlanDetails['skippedGates'] = [];
  const gates: GateSpec[] = [];
  for (const gate of Object.values(policy.gates)) {
    if (!gate.enabled) {
      skippedGates.push({ name: gate.name, reason: 'disabled (`enabled: false`)' });
      continue;
    }
    if (
      gate.metric === 'endpoint_errors' &&
      !gate.endpoints?.length &&
      service.criticalEndpoints.length === 0
    ) {
      skippedGates.push({ name: gate.name, reason: 'the service lists no `criticalEndpoints`' });
      continue;
    }
    const missing = missingCapability(environment.metrics, gate.metric, gate.gauge);
    if (missing) {
      skippedGates.push({ name: gate.name, reason: `optional, and ${missing.reason}` });
      continue;
    }
    gates.push(toGateSpec(gate));
  }

  const judge: JudgePolicy = {
    gates,
    criticalEndpoints: [...service.criticalEndpoints],
    alpha: policy.judge.alpha,
    beta: policy.judge.beta,
    maxNoDataSeconds: policy.judge.maxNoDataSeconds,
    staleAfterSeconds: policy.judge.staleAfterSeconds,
  };

  let expectedSeconds = 0;
  let maxSeconds = 0;
  let watchSeconds = 0;
  for (const step of steps) {
    if (step.kind === 'traffic') {
      expectedSeconds += step.minHoldSeconds;
      maxSeconds += step.maxHoldSeconds;
    }
    if (step.kind === 'watch') watchSeconds += step.durationSeconds;
  }

  return {
    plan: {
      service: serviceName,
      environment: environmentName,
      releaseType: request.releaseType,
      strategy: strategyName,
      steps,
      judge,
      expectedSeconds,
    },
    skippedGates,
    requirements: Object.values(policy.requirements).filter(
      (r) => !r.releaseTypes || r.releaseTypes.includes(request.releaseType),
    ),
    watchSeconds,
    maxSeconds,
  };
}

/**
 * The judge policy of the built-in policy alone: every built-in gate (memory included)
 * with the built-in α, β and data-freshness settings. For `rollgate judge replay`.
 */
export function defaultJudgePolicy(options: { criticalEndpoints?: string[] } = {}): JudgePolicy {
  const data = builtinLayer().data;
  const gates: GateSpec[] = [];
  for (const [name, config] of Object.entries(data.gates ?? {})) {
    const gate = completeGate(name, config, () => {
      throw new Error(`built-in gate ${name} is incomplete`);
    });
    if (gate?.enabled) gates.push(toGateSpec(gate));
  }
  return {
    gates,
    criticalEndpoints: options.criticalEndpoints ?? [],
    alpha: data.judge?.alpha as number,
    beta: data.judge?.beta as number,
    maxNoDataSeconds: data.judge?.maxNoData as number,
    staleAfterSeconds: data.judge?.staleAfter as number,
  };
}

function toGateSpec(gate: PolicyGate): GateSpec {
  return {
    name: gate.name,
    metric: gate.metric,
    ...(gate.gauge === undefined ? {} : { gauge: gate.gauge }),
    ...(gate.endpoints === undefined ? {} : { endpoints: [...gate.endpoints] }),
    comparison: gate.comparison,
    threshold: gate.threshold,
    forSeconds: gate.forSeconds,
    action: gate.action,
  };
}

function pick(
  what: string,
  wanted: string | undefined,
  names: string[],
  preferred: string | undefined,
): string {
  if (wanted !== undefined) {
    if (names.includes(wanted)) return wanted;
    throw new RollgateError('not_found', `unknown ${what} \`${wanted}\``, {
      hint: `the policy defines: ${names.join(', ')}`,
    });
  }
  if (names.length === 1) return names[0] as string;
  if (preferred !== undefined && names.includes(preferred)) return preferred;
  throw new RollgateError(
    'invalid_input',
    `the policy defines several ${what}s (${names.join(', ')})`,
    {
      hint: `choose one with --${what === 'service' ? 'service' : 'env'}`,
    },
  );
}

function uniqueNames(steps: PlanStep[]): void {
  const seen = new Map<string, number>();
  for (const step of steps) {
    const count = (seen.get(step.name) ?? 0) + 1;
    seen.set(step.name, count);
    if (count > 1) step.name = `${step.name} (${count})`;
  }
}
