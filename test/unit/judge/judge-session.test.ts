import { describe, expect, it } from 'vitest';
import { createJudge } from '../../../src/core/judge/create-judge.js';
import type { Batch, Verdict } from '../../../src/core/judge/judge-types.js';
import type { Judge } from '../../../src/ports/judge.js';
import { errorBatch, gate, policy, rng, STAGE } from './judge-fixtures.js';

const errorRollback = gate({
  metric: 'error_rate',
  comparison: 'relative',
  threshold: 0,
  action: 'no_go',
});

function runUntilDecision(
  judge: ReturnType<typeof createJudge>,
  seed: number,
  horizon: number,
  o: Parameters<typeof errorBatch>[2] = {},
): { verdict: Verdict; t: number } {
  const next = rng(seed);
  const session = judge.startStage(STAGE);
  let verdict: Verdict | undefined;
  for (let t = 1; t <= horizon; t++) {
    verdict = session.observe(errorBatch(next, t, o), t);
    if (verdict.decision !== 'continue') return { verdict, t };
  }
  return { verdict: verdict!, t: horizon };
}

describe('the sequential judge', () => {
  it('implements the Judge port', () => {
    const judge: Judge = createJudge(policy([errorRollback]));
    expect(typeof judge.startStage(STAGE).observe).toBe('function');
  });

  it('keeps A/A false rollbacks within α over 300 seeded runs of 10 minutes, looking every second', () => {
    const judge = createJudge(policy([errorRollback], { promoteMargin: 10 })); // never promotes
    let rollbacks = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { verdict } = runUntilDecision(judge, seed, 600, { weight: 10 });
      if (verdict.decision === 'rollback') rollbacks++;
    }
    // α = 1 %: 3 of 300 expected at most on average; allow sampling noise, not a broken bound.
    expect(rollbacks).toBeLessThanOrEqual(6);
  });

  it('rolls back a 2× error regression at 5 % canary after tens of canary errors, with its evidence', () => {
    const { verdict, t } = runUntilDecision(createJudge(policy([errorRollback])), 7, 600, {
      theta: 2,
    });
    expect(verdict.decision).toBe('rollback');
    expect(t).toBeLessThan(120);
    expect(verdict.decidedBy).toBe('error_rate-no_go');
    const f = verdict.findings.find((x) => x.gate === 'error_rate-no_go')!;
    expect(f.eValue).toBeGreaterThanOrEqual(100);
    expect(f.pValue).toBeLessThanOrEqual(0.01);
    expect(f.basis).toBe('requests');
    expect(f.ratioInterval![0]).toBeGreaterThan(1);
    expect(f.observed!.canaryRate).toBeGreaterThan(f.observed!.baselineRate!);
    expect(verdict.pValue).toBeLessThanOrEqual(0.01);
    expect(verdict.exposure.seconds).toBe(t);
    expect(verdict.exposure.canaryRequests + verdict.exposure.baselineRequests).toBe(1000 * t);
    expect(verdict.rates.canary.errorRate).toBeGreaterThan(verdict.rates.baseline.errorRate);
    expect(verdict.reason).toMatch(/no_go/);
  });

  it('promotes an equal canary once the minimum hold passed and the data rules out the margin', () => {
    const { verdict, t } = runUntilDecision(createJudge(policy([errorRollback])), 3, 3600, {
      weight: 50,
    });
    expect(verdict.decision).toBe('promote');
    expect(t).toBeGreaterThanOrEqual(STAGE.minHoldSeconds);
    const f = verdict.findings.find((x) => x.gate === 'error_rate.promote')!;
    expect(f.eValue).toBeGreaterThanOrEqual(20);
  });

  it('turns a delta gate into a ratio with the baseline rate (0.1 % above 1 % → θ0 ≈ 1.1)', () => {
    const delta = gate({
      metric: 'error_rate',
      comparison: 'delta',
      threshold: 0.001,
      action: 'pause',
    });
    const session = createJudge(policy([delta])).startStage(STAGE);
    const next = rng(11);
    let v: Verdict | undefined;
    for (let t = 1; t <= 10; t++) v = session.observe(errorBatch(next, t), t);
    const f = v!.findings.find((x) => x.gate === delta.name)!;
    expect(f.threshold).toBeGreaterThanOrEqual(1.05);
    expect(f.threshold).toBeLessThan(1.25);
  });

  it('counts per unit when both arms report units, and says so', () => {
    const session = createJudge(policy([errorRollback])).startStage(STAGE);
    const v = session.observe(
      {
        t: 1,
        weight: 5,
        canary: { requests: 50, errors: 6, units: 20, unitErrors: 1 },
        baseline: { requests: 950, errors: 10, units: 400, unitErrors: 9 },
      },
      1,
    );
    const f = v.findings.find((x) => x.gate === errorRollback.name)!;
    expect(f.basis).toBe('units');
    expect(f.observed!.canaryEvents).toBe(1);
  });

  it('decides the same with evidence "decisions" (the benchmark mode) as with full evidence', () => {
    const latency = gate({
      metric: 'latency_p99',
      comparison: 'relative',
      threshold: 0,
      action: 'no_go',
    });
    const decisions = (evidence: 'full' | 'decisions', seed: number, theta: number) => {
      const session = createJudge(policy([errorRollback, latency]), { evidence }).startStage(STAGE);
      const next = rng(seed);
      const out: string[] = [];
      for (let t = 1; t <= 400; t++)
        out.push(session.observe(errorBatch(next, t, { weight: 50, theta }), t).decision);
      return out.join(',');
    };
    for (const [seed, theta] of [
      [1, 1],
      [2, 1.3],
      [3, 2],
    ] as const) {
      expect(decisions('decisions', seed, theta)).toBe(decisions('full', seed, theta));
    }
  });

  it('is deterministic: the same batches give byte-identical verdicts', () => {
    const run = () => {
      const session = createJudge(policy([errorRollback])).startStage(STAGE);
      const next = rng(5);
      const out: Verdict[] = [];
      for (let t = 1; t <= 80; t++)
        out.push(session.observe(errorBatch(next, t, { theta: 1.5 }), t));
      return JSON.stringify(out);
    };
    expect(run()).toBe(run());
  });
});

describe('sample-ratio guard', () => {
  it('halts when the canary gets 3 % of traffic instead of the planned 5 %', () => {
    const session = createJudge(policy([errorRollback])).startStage(STAGE);
    const next = rng(1);
    let v: Verdict | undefined;
    let t = 0;
    for (t = 1; t <= 600; t++) {
      const b = errorBatch(next, t, { weight: 3 });
      v = session.observe({ ...b, weight: 5 }, t);
      if (v.decision !== 'continue') break;
    }
    expect(v!.decision).toBe('halt');
    expect(v!.decidedBy).toBe('srm');
    expect(t).toBeLessThan(120);
    expect(v!.findings.find((f) => f.gate === 'srm')!.observed!.plannedPercent).toBe(5);
  });

  it('does not halt a correct split across ramp steps (1 → 5 → 25 → 50 %)', () => {
    const session = createJudge(policy([errorRollback], { promoteMargin: 10 })).startStage(STAGE);
    const next = rng(2);
    for (let t = 1; t <= 1200; t++) {
      const weight = t <= 300 ? 1 : t <= 600 ? 5 : t <= 900 ? 25 : 50;
      const v = session.observe(errorBatch(next, t, { weight }), t);
      expect(v.decision).not.toBe('halt');
    }
  });
});

/**
 * Sticky routing over a finite population: `onCanary` of `users` users hash to the canary;
 * in each batch (a 10 s window) a user is active with probability 0.8 and sends 1–20
 * requests (a few heavy users). The batch carries distinct units per arm, as the built-in
 * router's does.
 */
function stickyBatch(next: () => number, t: number, users: number, onCanary: number): Batch {
  const arm = () => ({ requests: 0, errors: 0, units: 0 });
  const canary = arm();
  const baseline = arm();
  for (let u = 0; u < users; u++) {
    if (next() >= 0.8) continue;
    const a = u < onCanary ? canary : baseline;
    a.units += 1;
    a.requests += u % 50 === 0 ? 20 : 1 + Math.floor(next() * 3);
  }
  return { t, weight: 5, canary, baseline };
}

describe('sample-ratio guard under sticky routing (units counted)', () => {
  it('does not halt when 1000 users hash 3.8 % to the canary at a planned 5 % (finite-population chance)', () => {
    const session = createJudge(policy([errorRollback], { promoteMargin: 10 })).startStage(STAGE);
    const next = rng(11);
    for (let t = 1; t <= 1200; t++) {
      const v = session.observe(stickyBatch(next, t, 1000, 38), t);
      expect(v.decision, v.reason).not.toBe('halt');
    }
  });

  it('halts when 1000 users split 9 % to the canary at a planned 5 % (no population explains it)', () => {
    const session = createJudge(policy([errorRollback], { promoteMargin: 10 })).startStage(STAGE);
    const next = rng(12);
    let v: Verdict | undefined;
    let t = 0;
    for (t = 1; t <= 1200; t++) {
      v = session.observe(stickyBatch(next, t, 1000, 90), t);
      if (v.decision !== 'continue') break;
    }
    expect(v!.decision).toBe('halt');
    expect(v!.decidedBy).toBe('srm');
    const srm = v!.findings.find((f) => f.gate === 'srm')!;
    expect(srm.basis).toBe('units');
    expect(srm.observed!.observedPercent).toBeCloseTo(9, 0);
  });

  it('halts at once when the canary gets no users at all', () => {
    const session = createJudge(policy([errorRollback], { promoteMargin: 10 })).startStage(STAGE);
    const next = rng(13);
    let v: Verdict | undefined;
    let t = 0;
    for (t = 1; t <= 600; t++) {
      v = session.observe(stickyBatch(next, t, 1000, 0), t);
      if (v.decision !== 'continue') break;
    }
    expect(v!.decidedBy).toBe('srm');
    expect(t).toBeLessThan(30);
  });
});

describe('hard gates with durations', () => {
  const memory = gate({
    name: 'memory',
    metric: 'gauge',
    gauge: 'memory',
    comparison: 'absolute',
    threshold: 0.85,
    forSeconds: 300,
    action: 'rollback',
  });
  const withMemory = (t: number, m: number | undefined): Batch => ({
    t,
    weight: 5,
    canary: { requests: 50, errors: 0, ...(m === undefined ? {} : { gauges: { memory: m } }) },
    baseline: { requests: 950, errors: 0, gauges: { memory: 0.5 } },
  });

  it('fires memory > 85 % only after it held for 5 minutes, and a dip resets the clock', () => {
    const session = createJudge(policy([memory])).startStage({
      ...STAGE,
      minHoldSeconds: 10_000,
      maxHoldSeconds: 10_000,
    });
    let v: Verdict | undefined;
    for (let t = 1; t <= 200; t++) v = session.observe(withMemory(t, 0.9), t);
    expect(v!.decision).toBe('continue');
    v = session.observe(withMemory(201, 0.8), 201); // dip
    for (let t = 202; t <= 501; t++) {
      v = session.observe(withMemory(t, 0.9), t);
      if (t < 502) expect(v.decision).toBe('continue');
    }
    v = session.observe(withMemory(502, 0.9), 502);
    expect(v.decision).toBe('rollback');
    expect(v.decidedBy).toBe('memory');
    expect(v.findings.find((f) => f.gate === 'memory')!.observed!.heldSeconds).toBe(300);
  });

  it('rolls back at once on any 5xx on a critical endpoint', () => {
    const endpoint = gate({
      name: 'critical',
      metric: 'endpoint_errors',
      comparison: 'absolute',
      threshold: 0,
      action: 'rollback',
    });
    const session = createJudge(policy([endpoint], { criticalEndpoints: ['/pay'] })).startStage(
      STAGE,
    );
    const ok = session.observe(
      {
        t: 1,
        weight: 5,
        canary: { requests: 50, errors: 0, endpoints: { '/pay': { requests: 5, errors: 0 } } },
        baseline: { requests: 950, errors: 0 },
      },
      1,
    );
    expect(ok.decision).toBe('continue');
    const bad = session.observe(
      {
        t: 2,
        weight: 5,
        canary: { requests: 50, errors: 1, endpoints: { '/pay': { requests: 5, errors: 1 } } },
        baseline: { requests: 950, errors: 0 },
      },
      2,
    );
    expect(bad.decision).toBe('rollback');
    expect(bad.reason).toContain('/pay');
  });

  it('holds "error rate > 1 % for 2 min" on the trailing minute of batch time', () => {
    const absolute = gate({
      name: 'err-abs',
      metric: 'error_rate',
      comparison: 'absolute',
      threshold: 0.01,
      forSeconds: 120,
      action: 'rollback',
    });
    const session = createJudge(policy([absolute])).startStage({
      ...STAGE,
      minHoldSeconds: 10_000,
      maxHoldSeconds: 10_000,
    });
    const next = rng(4);
    let fired: number | undefined;
    for (let t = 1; t <= 400 && fired === undefined; t++) {
      const v = session.observe(errorBatch(next, t, { p: t > 100 ? 0.03 : 0.002 }), t);
      if (v.decision === 'rollback') fired = t;
    }
    expect(fired).toBeGreaterThanOrEqual(220);
    expect(fired).toBeLessThan(260);
  });
});

describe('missing and stale data', () => {
  it('is inconclusive on missing or stale data, pauses after the limit, and never promotes on it', () => {
    const session = createJudge(policy([errorRollback])).startStage({
      ...STAGE,
      minHoldSeconds: 0,
      onTimeout: 'promote',
      maxHoldSeconds: 100,
    });
    const next = rng(9);
    expect(session.observe(undefined, 1).decision).toBe('inconclusive');
    const stale = errorBatch(next, 2, { weight: 50 });
    const v = session.observe(stale, 2 + 31);
    expect(v.decision).toBe('inconclusive');
    expect(v.reason).toMatch(/stale/);
    const dup = session.observe(errorBatch(next, 2), 40);
    expect(dup.decision).toBe('inconclusive');
    const outage = session.observe(undefined, 125);
    expect(outage.decision).toBe('pause');
    expect(outage.decidedBy).toBe('no-data');
  });

  it('turns a "promote" timeout into a pause when the data is missing', () => {
    const session = createJudge(policy([errorRollback], { maxNoDataSeconds: 1000 })).startStage({
      ...STAGE,
      onTimeout: 'promote',
      maxHoldSeconds: 50,
    });
    const v = session.observe(undefined, 60);
    expect(v.decision).toBe('pause');
    expect(v.decidedBy).toBe('stage-timeout');
  });

  it('never promotes while a latency stream has no histogram to compare', () => {
    const latency = gate({
      metric: 'latency_p99',
      comparison: 'relative',
      threshold: 0,
      action: 'no_go',
    });
    const session = createJudge(policy([errorRollback, latency])).startStage({
      ...STAGE,
      minHoldSeconds: 0,
    });
    const next = rng(12);
    for (let t = 1; t <= 1200; t++) {
      const v = session.observe(errorBatch(next, t, { weight: 50 }), t);
      expect(v.decision).not.toBe('promote');
    }
  });
});
