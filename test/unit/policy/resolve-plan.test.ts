import { describe, expect, it } from 'vitest';
import type { TrafficStep } from '../../../src/core/plan/plan-types.js';
import {
  defaultJudgePolicy,
  resolvePlan,
  resolvePlanDetails,
} from '../../../src/core/plan/resolve-plan.js';
import { parsePolicy } from '../../../src/core/policy/compile-policy.js';
import type { Policy } from '../../../src/core/policy/policy-types.js';

const SERVICE = `version: 1
services:
  web:
    environments:
      staging: { strategy: direct }
      production: {}
    router: { type: builtin, listen: "127.0.0.1:8080", stable: "http://127.0.0.1:9001", canary: "http://127.0.0.1:9002" }
    deployer: { type: command, deploy: ./deploy.sh, rollback: ./rollback.sh }
    metrics: { type: builtin }
    criticalEndpoints: [/pay]
    checks:
      health: { type: http, url: "http://127.0.0.1:8080/health" }
      smoke: { type: command, run: ./smoke.sh, phases: [smoke] }
`;

function policyOf(text: string): Policy {
  const result = parsePolicy(text, 'rollgate.yaml');
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return result.policy;
}

const traffic = (
  policy: Policy,
  releaseType: 'patch' | 'minor' | 'major' | 'breaking',
  environment?: string,
) =>
  resolvePlan(policy, { releaseType, environment }).steps.filter(
    (s): s is TrafficStep => s.kind === 'traffic',
  );

describe('resolvePlan with the built-in policy (seed 002 / 003)', () => {
  const policy = policyOf(SERVICE);

  it('minor: canary 5% → 25% → 50% → 100%, canary held 15-30 min, 25/50% held 30-60 min', () => {
    const steps = traffic(policy, 'minor');
    expect(steps.map((s) => [s.weight, s.minHoldSeconds, s.maxHoldSeconds])).toEqual([
      [5, 900, 1800],
      [25, 1800, 3600],
      [50, 1800, 3600],
      [100, 0, 0],
    ]);
    const plan = resolvePlan(policy, { releaseType: 'minor' });
    expect(plan.expectedSeconds).toBe(900 + 1800 + 1800);
    expect(plan.strategy).toBe('minor');
    expect(plan.environment).toBe('production');
  });

  it('major: extended canary → 10% → 25% → 50% → 100%', () => {
    expect(traffic(policy, 'major').map((s) => s.weight)).toEqual([5, 10, 25, 50, 100]);
    expect(traffic(policy, 'major')[0]?.minHoldSeconds).toBeGreaterThan(
      traffic(policy, 'minor')[0]?.minHoldSeconds ?? 0,
    );
  });

  it('patch: a quick canary; breaking: staged with an approval and the feature-flag requirement', () => {
    expect(traffic(policy, 'patch').map((s) => [s.weight, s.minHoldSeconds])).toEqual([
      [5, 300],
      [100, 300],
    ]);
    const breaking = resolvePlanDetails(policy, { releaseType: 'breaking' });
    expect(breaking.plan.steps.some((s) => s.kind === 'approval')).toBe(true);
    expect(breaking.requirements.map((r) => r.id)).toContain('feature-flag');
    expect(
      resolvePlanDetails(policy, { releaseType: 'minor' }).requirements.map((r) => r.id),
    ).not.toContain('feature-flag');
  });

  it('ends with the four watch windows 0-30 min, 30 min-4 h, 4-24 h, 24-72 h', () => {
    const watch = resolvePlan(policy, { releaseType: 'minor' }).steps.filter(
      (s) => s.kind === 'watch',
    );
    expect(watch.map((s) => (s.kind === 'watch' ? [s.window, s.durationSeconds] : []))).toEqual([
      ['immediate', 1800],
      ['short-term', 12600],
      ['extended', 72000],
      ['long-term', 172800],
    ]);
  });

  it('the gates are the seeds figures, in the judge units', () => {
    const { gates } = resolvePlan(policy, { releaseType: 'minor' }).judge;
    const byName = Object.fromEntries(
      gates.map((g) => [g.name, [g.metric, g.comparison, g.threshold, g.forSeconds, g.action]]),
    );
    expect(byName).toEqual({
      'error-rate-pause': ['error_rate', 'delta', 0.001, 0, 'pause'],
      'latency-p99-pause': ['latency_p99', 'relative', 0.1, 0, 'pause'],
      'error-rate-no-go': ['error_rate', 'delta', 0.01, 300, 'no_go'],
      'latency-p99-no-go': ['latency_p99', 'relative', 0.25, 0, 'no_go'],
      'error-rate-rollback': ['error_rate', 'absolute', 0.01, 120, 'rollback'],
      'response-time-rollback': ['latency_p95', 'absolute', 2, 180, 'rollback'],
      'critical-endpoint-5xx': ['endpoint_errors', 'absolute', 0, 0, 'rollback'],
    });
  });

  it('skips the optional memory gate where the metrics have no memory gauge, and says why', () => {
    const details = resolvePlanDetails(policy, { releaseType: 'minor' });
    expect(details.plan.judge.gates.map((g) => g.name)).not.toContain('memory-rollback');
    expect(details.skippedGates).toEqual([
      { name: 'memory-rollback', reason: expect.stringMatching(/list no gauge `memory`/) },
    ]);
  });

  it('judge settings and critical endpoints come through', () => {
    const { judge } = resolvePlan(policy, { releaseType: 'minor' });
    expect(judge).toMatchObject({
      alpha: 0.01,
      beta: 0.05,
      maxNoDataSeconds: 300,
      staleAfterSeconds: 120,
      criticalEndpoints: ['/pay'],
    });
  });

  it('checks steps take the service checks tagged with their phase', () => {
    const steps = resolvePlan(policy, { releaseType: 'minor' }).steps.filter(
      (s) => s.kind === 'checks',
    );
    expect(steps.map((s) => (s.kind === 'checks' ? [s.phase, s.checks] : []))).toEqual([
      ['preflight', ['health']],
      ['smoke', ['health', 'smoke']],
      ['verification', ['health']],
    ]);
  });

  it('an environment strategy wins over the release type (staging = direct)', () => {
    const plan = resolvePlan(policy, { releaseType: 'major', environment: 'staging' });
    expect(plan.strategy).toBe('direct');
    expect(plan.steps.map((s) => s.kind)).toEqual(['checks', 'deploy', 'checks']);
  });

  it('the result is frozen and JSON-serialisable', () => {
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.gates['error-rate-pause'])).toBe(true);
    const plan = resolvePlan(policy, { releaseType: 'minor' });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('an unknown service or environment is an error that names the choices', () => {
    expect(() => resolvePlan(policy, { releaseType: 'minor', service: 'api' })).toThrow(
      /unknown service `api`/,
    );
    expect(() => resolvePlan(policy, { releaseType: 'minor', environment: 'qa' })).toThrow(
      /unknown environment `qa`/,
    );
  });
});

describe('every figure is overridable from the file', () => {
  it('overrides one figure of a gate, keeping the rest', () => {
    const policy = policyOf(
      `${SERVICE}gates:\n  error-rate-no-go:\n    for: 10m\n    threshold: 2%\n`,
    );
    const gate = resolvePlan(policy, { releaseType: 'minor' }).judge.gates.find(
      (g) => g.name === 'error-rate-no-go',
    );
    expect(gate).toEqual({
      name: 'error-rate-no-go',
      metric: 'error_rate',
      comparison: 'delta',
      threshold: 0.02,
      forSeconds: 600,
      action: 'no_go',
    });
  });

  it('turns a gate off, replaces a strategy, and changes traffic and judge defaults', () => {
    const policy = policyOf(`${SERVICE}gates:
  latency-p99-pause: { enabled: false }
strategies:
  minor:
    - { type: deploy, target: canary }
    - { type: traffic, weight: 10%, hold: 1h30m }
    - { type: traffic, weight: 100% }
traffic: { minRequests: 50, onTimeout: rollback }
judge: { alpha: 0.001 }
watch:
  immediate: { from: 0m, to: 45m }
`);
    const details = resolvePlanDetails(policy, { releaseType: 'minor' });
    expect(details.plan.judge.gates.map((g) => g.name)).not.toContain('latency-p99-pause');
    expect(details.plan.judge.alpha).toBe(0.001);
    expect(details.plan.judge.beta).toBe(0.05);
    const steps = details.plan.steps.filter((s): s is TrafficStep => s.kind === 'traffic');
    expect(
      steps.map((s) => [s.weight, s.minHoldSeconds, s.minCanaryRequests, s.onTimeout]),
    ).toEqual([
      [10, 5400, 50, 'rollback'],
      [100, 0, 50, 'rollback'],
    ]);
    expect(details.plan.expectedSeconds).toBe(5400);
  });

  it('keeps the memory gate where Prometheus provides a memory gauge', () => {
    const policy = policyOf(
      SERVICE.replace(
        'metrics: { type: builtin }',
        'metrics: { type: prometheus, url: "http://127.0.0.1:9090", endpointLabel: route, queries: { gauges: { memory: "up" } } }',
      ).replace(
        'router: { type: builtin, listen: "127.0.0.1:8080", stable: "http://127.0.0.1:9001", canary: "http://127.0.0.1:9002" }',
        'router: { type: command, setWeight: ./set.sh, getWeight: ./get.sh }',
      ),
    );
    const gate = resolvePlan(policy, { releaseType: 'minor' }).judge.gates.find(
      (g) => g.name === 'memory-rollback',
    );
    expect(gate).toMatchObject({
      metric: 'gauge',
      gauge: 'memory',
      threshold: 0.85,
      forSeconds: 300,
      action: 'rollback',
    });
  });
});

describe('defaultJudgePolicy', () => {
  it('is the built-in gates with memory included, for judge replay', () => {
    const judge = defaultJudgePolicy({ criticalEndpoints: ['/v1/payment/process'] });
    expect(judge.gates.map((g) => g.name)).toEqual([
      'error-rate-pause',
      'latency-p99-pause',
      'error-rate-no-go',
      'latency-p99-no-go',
      'error-rate-rollback',
      'response-time-rollback',
      'critical-endpoint-5xx',
      'memory-rollback',
    ]);
    expect(judge.criticalEndpoints).toEqual(['/v1/payment/process']);
    expect(judge.alpha).toBe(0.01);
  });
});
