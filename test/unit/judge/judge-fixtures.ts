import type { Batch, StageSpec } from '../../../src/core/judge/judge-types.js';
import type { GateSpec, JudgePolicy } from '../../../src/core/plan/plan-types.js';
import { seededRandom } from '../../../src/demo/seeded-random.js';

/** A seeded PRNG (mulberry32), the demo's: the same seed replays the same sequence. */
export const rng = seededRandom;

export function binomial(next: () => number, n: number, p: number): number {
  if (n * p > 40) {
    const u = Math.max(next(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    return Math.min(n, Math.max(0, Math.round(n * p + z * Math.sqrt(n * p * (1 - p)))));
  }
  const q = 1 - p;
  let pmf = q ** n;
  let cdf = pmf;
  const u = next();
  let k = 0;
  while (u > cdf && k < n) {
    pmf *= ((n - k) / (k + 1)) * (p / q);
    k++;
    cdf += pmf;
  }
  return k;
}

export function gate(
  partial: Partial<GateSpec> & Pick<GateSpec, 'metric' | 'comparison' | 'threshold' | 'action'>,
): GateSpec {
  return { name: `${partial.metric}-${partial.action}`, forSeconds: 0, ...partial };
}

export function policy(gates: GateSpec[], extra: Partial<JudgePolicy> = {}): JudgePolicy {
  return {
    gates,
    criticalEndpoints: [],
    alpha: 0.01,
    beta: 0.05,
    maxNoDataSeconds: 120,
    staleAfterSeconds: 30,
    promoteMargin: 0.2,
    ...extra,
  };
}

export const STAGE: StageSpec = {
  weight: 5,
  minHoldSeconds: 60,
  maxHoldSeconds: 3600,
  minCanaryRequests: 0,
  onTimeout: 'pause',
  startSeconds: 0,
};

/** One second of traffic: `rate` requests split by `weight` %, errors at p·θ on the canary. */
export function errorBatch(
  next: () => number,
  t: number,
  o: { weight?: number; rate?: number; p?: number; theta?: number } = {},
): Batch {
  const weight = o.weight ?? 5;
  const rate = o.rate ?? 1000;
  const p = o.p ?? 0.01;
  const nC = binomial(next, rate, weight / 100);
  const nB = rate - nC;
  return {
    t,
    weight,
    canary: { requests: nC, errors: binomial(next, nC, Math.min(1, p * (o.theta ?? 1))) },
    baseline: { requests: nB, errors: binomial(next, nB, p) },
  };
}
