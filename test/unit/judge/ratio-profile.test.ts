import { describe, expect, it } from 'vitest';
import {
  gridIndexAtOrAbove,
  gridIndexAtOrBelow,
  gridTheta,
  PROMOTE_STEPS,
  RatioProfile,
  ROLLBACK_STEPS,
} from '../../../src/core/judge/ratio-profile.js';

/** The mixture e-value written out directly from the binomial likelihood. */
function expectedE(
  batches: [number, number, number, number][],
  theta0: number,
  alternatives: number[],
): number {
  let sum = 0;
  for (const theta of alternatives) {
    let ll = 0;
    for (const [nC, yC, nB, yB] of batches) {
      const pi = (t: number) => (nC * t) / (nC * t + nB);
      ll +=
        yC * Math.log(pi(theta) / pi(theta0)) + yB * Math.log((1 - pi(theta)) / (1 - pi(theta0)));
    }
    sum += Math.exp(ll);
  }
  return sum / alternatives.length;
}

describe('RatioProfile (conditional-binomial mixture e-processes)', () => {
  const batches: [number, number, number, number][] = [
    [50, 3, 950, 9],
    [60, 2, 940, 11],
    [40, 4, 960, 8],
  ];

  it('gives the rollback e-value of a known case (θ0 = 1, alternatives 10^(m/40))', () => {
    const p = new RatioProfile();
    for (const b of batches) p.add(...b);
    const k0 = gridIndexAtOrAbove(1);
    const want = expectedE(
      batches,
      1,
      ROLLBACK_STEPS.map((m) => gridTheta(m)),
    );
    expect(Math.exp(p.logEAbove(k0))).toBeCloseTo(want, 9);
    expect(want).toBeGreaterThan(1); // 9 canary errors on 5 % of traffic: evidence of harm
  });

  it('gives the promote e-value of a known case (θP = 1.2 rounded down to the grid)', () => {
    const p = new RatioProfile();
    const data: [number, number, number, number][] = [[500, 2, 500, 20]];
    for (const b of data) p.add(...b);
    const kP = gridIndexAtOrBelow(1.2);
    const thetaP = gridTheta(kP);
    expect(thetaP).toBeLessThanOrEqual(1.2);
    expect(thetaP).toBeGreaterThan(1.12);
    const want = expectedE(
      data,
      thetaP,
      PROMOTE_STEPS.map((m) => thetaP / gridTheta(m)),
    );
    expect(Math.exp(p.logEBelow(kP))).toBeCloseTo(want, 9);
    expect(want).toBeGreaterThan(20); // 2 vs 20 errors on equal traffic: clearly no worse
  });

  it('rounds a rollback null up and a promote null down (conservative both ways)', () => {
    expect(gridTheta(gridIndexAtOrAbove(1.1))).toBeGreaterThanOrEqual(1.1);
    expect(gridTheta(gridIndexAtOrBelow(1.1))).toBeLessThanOrEqual(1.1);
    expect(gridTheta(gridIndexAtOrAbove(1))).toBeCloseTo(1, 12);
  });

  it('has a confidence sequence that holds the true ratio and shrinks with data', () => {
    const p = new RatioProfile();
    for (let i = 0; i < 50; i++) p.add(100, 4, 900, 18); // ratio exactly 2
    const [lo, hi] = p.snapshot().confidenceInterval(0.01);
    expect(lo).toBeLessThan(2);
    expect(hi).toBeGreaterThan(2);
    expect(lo).toBeGreaterThan(1.2);
    expect(hi).toBeLessThan(3.5);
    const small = new RatioProfile();
    small.add(100, 4, 900, 18);
    const [lo1, hi1] = small.snapshot().confidenceInterval(0.01);
    expect(hi1 - lo1).toBeGreaterThan(hi - lo);
  });

  it('ignores batches without events or without one arm', () => {
    const p = new RatioProfile();
    p.add(0, 0, 1000, 10);
    p.add(50, 0, 950, 0);
    expect(p.batches).toBe(0);
    expect(p.logEAbove(0)).toBe(0);
  });
});

describe('delayed restarts (a regression that starts mid-stage)', () => {
  it('detects a 2× regression after 10 healthy minutes much sooner than the test from the start', async () => {
    const { binomial, rng } = await import('./judge-fixtures.js');
    const limit = Math.log(100);
    const gains: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const next = rng(seed);
      const p = new RatioProfile();
      let withRestarts: number | undefined;
      let fromStart: number | undefined;
      for (let t = 1; t <= 3000 && fromStart === undefined; t++) {
        const nC = binomial(next, 1000, 0.1);
        const theta = t > 600 ? 2 : 1;
        p.advanceTo(t);
        p.add(nC, binomial(next, nC, 0.01 * theta), 1000 - nC, binomial(next, 1000 - nC, 0.01));
        if (withRestarts === undefined && p.logEAboveWithRestarts(0) >= limit) withRestarts = t;
        if (p.logEAbove(0) >= limit) fromStart = t;
      }
      expect(withRestarts).toBeDefined();
      expect(withRestarts!).toBeGreaterThan(600); // no false alarm before the onset
      gains.push((fromStart ?? 3000) - withRestarts!);
    }
    gains.sort((a, b) => a - b);
    expect(gains[10]!).toBeGreaterThan(30); // median: more than 30 s (30 k requests) sooner
  });

  it('is the weighted average: before any restart, 0.9 × the plain test plus 0.1 × 1', () => {
    const p = new RatioProfile();
    p.add(100, 5, 900, 9);
    expect(Math.exp(p.logEAboveWithRestarts(0))).toBeCloseTo(
      0.9 * Math.exp(p.logEAbove(0)) + 0.1,
      10,
    );
  });
});
