import { RollgateError } from '../errors/rollgate-error.js';
import type { GateSpec, JudgePolicy } from '../plan/plan-types.js';
import { CountStream, type GateLevel, type StreamGate } from './count-stream.js';
import { HardGates, isHardGate, QUANTILES } from './hard-gates.js';
import { JudgeSession } from './judge-session.js';
import type { Batch, StageSpec, Verdict } from './judge-types.js';

/** Structurally the Judge port (src/ports/judge.ts); core cannot import ports. */
export interface CoreJudge {
  startStage(stage: StageSpec): { observe(batch: Batch | undefined, nowSeconds: number): Verdict };
}

const DEFAULT_PROMOTE_MARGIN = 0.1;

/**
 * The sequential judge (JUDGE.md; ADRs 0020–0025). Each stage gets fresh streams: the
 * relative and delta gates become count streams tested with mixture e-processes; the
 * absolute gates (and gauge gates) are hard gates with durations on batch time.
 */
export interface JudgeOptions {
  /**
   * 'full' (default): every verdict carries its findings. 'decisions': a plain
   * "continue" carries none (same decisions; for the benchmark's millions of batches).
   */
  evidence?: 'full' | 'decisions';
}

export function createJudge(policy: JudgePolicy, options: JudgeOptions = {}): CoreJudge {
  validatePolicy(policy);
  return {
    startStage(stage: StageSpec) {
      return new JudgeSession(policy, stage, planStage(policy), options.evidence ?? 'full');
    },
  };
}

function planStage(policy: JudgePolicy) {
  const margin = policy.promoteMargin ?? DEFAULT_PROMOTE_MARGIN;
  const statistical = policy.gates.filter((g) => !isHardGate(g));
  const byKey = new Map<
    string,
    { kind: CountStream['kind']; gates: StreamGate[]; endpoint?: string; q?: number }
  >();
  const add = (
    key: string,
    init: () => { kind: CountStream['kind']; endpoint?: string; q?: number },
    gate: GateSpec,
  ) => {
    let entry = byKey.get(key);
    if (!entry) {
      entry = { ...init(), gates: [] };
      byKey.set(key, entry);
    }
    entry.gates.push({ gate, level: levelOf(gate), logE: Number.NEGATIVE_INFINITY });
  };
  for (const gate of statistical) {
    if (gate.metric === 'error_rate') add('error_rate', () => ({ kind: 'errors' }), gate);
    else if (gate.metric === 'endpoint_errors') {
      const endpoints =
        gate.endpoints && gate.endpoints.length > 0 ? gate.endpoints : policy.criticalEndpoints;
      for (const endpoint of endpoints)
        add(`endpoint_errors:${endpoint}`, () => ({ kind: 'endpoint', endpoint }), gate);
    } else {
      const q = QUANTILES[gate.metric]!;
      add(gate.metric, () => ({ kind: 'latency', q }), gate);
    }
  }
  const streams = [...byKey.entries()].map(
    ([key, e]) => new CountStream(key, e.kind, e.gates, margin, e.endpoint, e.q),
  );
  const gatesPerLevel: Record<GateLevel, number> = { rollback: 0, pause: 0 };
  for (const s of streams) for (const g of s.gates) gatesPerLevel[g.level]++;
  return {
    streams,
    hardGates: new HardGates(policy.gates.filter(isHardGate), policy.criticalEndpoints),
    gatesPerLevel,
  };
}

function levelOf(gate: GateSpec): GateLevel {
  return gate.action === 'pause' ? 'pause' : 'rollback';
}

function validatePolicy(policy: JudgePolicy): void {
  const bad = (what: string) =>
    new RollgateError('invalid_policy', `judge policy: ${what}`, {
      hint: 'fix the judge section of the policy (alpha and beta are fractions in (0, 1)).',
    });
  if (!(policy.alpha > 0 && policy.alpha < 1))
    throw bad(`alpha must be in (0, 1), got ${policy.alpha}`);
  if (!(policy.beta > 0 && policy.beta < 1))
    throw bad(`beta must be in (0, 1), got ${policy.beta}`);
  for (const g of policy.gates) {
    if (!(g.threshold >= 0) || !Number.isFinite(g.threshold))
      throw bad(`gate "${g.name}": threshold must be a number ≥ 0, got ${g.threshold}`);
    if (!(g.forSeconds >= 0)) throw bad(`gate "${g.name}": forSeconds must be ≥ 0`);
    if (
      g.metric in QUANTILES ||
      g.metric === 'error_rate' ||
      g.metric === 'endpoint_errors' ||
      g.metric === 'gauge'
    )
      continue;
    throw bad(`gate "${g.name}": unknown metric "${g.metric}"`);
  }
}
