/**
 * The headline cell (2× errors, 1 % base, 5 % canary) under policy variants, on the same
 * seeds as `npm run bench:judge`: how much each rollback-level gate costs in detection.
 *   npx tsx bench/judge/headline-variants.ts [--runs 500] [--seed 20261121]
 */
import { createJudge } from '../../src/core/judge/create-judge.js';
import type { JudgePolicy } from '../../src/core/plan/plan-types.js';
import { Rng } from './random.js';
import { cells, ScenarioStream } from './scenarios.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const runs = opt('runs', 500);
const seed = opt('seed', 20261121);
const all = cells();
const index = all.findIndex((c) => c.id === 'err-2x-p1-w5');
const cell = all[index]!;
const base = {
  criticalEndpoints: [],
  alpha: 0.01,
  beta: 0.05,
  maxNoDataSeconds: 120,
  staleAfterSeconds: 30,
  promoteMargin: 0.2,
};
const errorGate = {
  name: 'error-rate-no-go',
  metric: 'error_rate',
  comparison: 'relative',
  threshold: 0,
  forSeconds: 0,
  action: 'no_go',
} as const;
const latencyGate = {
  name: 'latency-p99-no-go',
  metric: 'latency_p99',
  comparison: 'relative',
  threshold: 0,
  forSeconds: 0,
  action: 'no_go',
} as const;
const variants: [string, JudgePolicy][] = [
  [
    'error and p99 gates at rollback level (the benchmark policy)',
    { ...base, gates: [errorGate, latencyGate] },
  ],
  [
    'error gate at rollback level, p99 gate at pause level',
    { ...base, gates: [errorGate, { ...latencyGate, action: 'pause' }] },
  ],
  ['error gate only', { ...base, gates: [errorGate] }],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const oracle: number[] = [];
for (const [label, policy] of variants) {
  const judge = createJudge(policy, { evidence: 'decisions' });
  const detections: number[] = [];
  for (let run = 0; run < runs; run++) {
    const rng = new Rng(
      (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(run + 1, 0x85ebca6b)) >>> 0,
    );
    const stream = new ScenarioStream(cell, rng);
    const session = judge.startStage({
      weight: 5,
      minHoldSeconds: 600,
      maxHoldSeconds: Number.POSITIVE_INFINITY,
      minCanaryRequests: 0,
      onTimeout: 'pause',
      startSeconds: 0,
    });
    let requests = 0;
    let llr = 0;
    let oracleAt: number | undefined;
    for (let t = 1; t <= 7200; t++) {
      const b = stream.next(t);
      requests += b.canary.requests + b.baseline.requests;
      if (oracleAt === undefined && oracle.length < runs) {
        const pi0 = b.canary.requests / (b.canary.requests + b.baseline.requests);
        const pi1 = (2 * b.canary.requests) / (2 * b.canary.requests + b.baseline.requests);
        llr +=
          b.canary.errors * Math.log(pi1 / pi0) +
          b.baseline.errors * Math.log((1 - pi1) / (1 - pi0));
        if (llr >= Math.log(100)) oracleAt = requests;
      }
      const v = session.observe(b, t);
      if (v.decision === 'rollback') {
        detections.push(requests);
        break;
      }
    }
    if (oracleAt !== undefined && oracle.length < runs) oracle.push(oracleAt);
  }
  const m = median(detections);
  process.stdout.write(
    `| ${label} | ${(m / 1000).toFixed(1)} k | ${(median(oracle) / 1000).toFixed(1)} k | ${(m / median(oracle)).toFixed(2)}× |\n`,
  );
}
