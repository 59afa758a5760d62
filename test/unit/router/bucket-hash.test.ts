import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketOf, thresholdOf } from '../../../src/router/bucket-hash.js';

describe('bucketOf', () => {
  it('is stable across releases: these values must never change (users would switch version)', () => {
    expect(['user-1', 'user-2', 'alice', ''].map((k) => bucketOf(k))).toEqual([
      5916, 1105, 4078, 8923,
    ]);
    expect(bucketOf('user-1', 'rollout-7')).toBe(3688);
  });

  it('spreads keys evenly over the buckets (chi-square over 10 deciles)', () => {
    const counts = new Array<number>(10).fill(0);
    const n = 50_000;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const b = bucketOf(`user-${i}`);
      if (!(b >= 0 && b < BUCKETS && Number.isInteger(b))) outside++;
      counts[Math.floor(b / 1000)] = (counts[Math.floor(b / 1000)] ?? 0) + 1;
    }
    expect(outside).toBe(0);
    const expected = n / 10;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // 9 degrees of freedom, p = 0.001
  });

  it('the seed reshuffles who is on the canary', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    const a = keys.filter((k) => bucketOf(k, 'a') < 1000);
    const b = keys.filter((k) => bucketOf(k, 'b') < 1000);
    const both = a.filter((k) => b.includes(k));
    expect(both.length).toBeLessThan(a.length / 2);
  });

  it('maps a weight in percent to a bucket threshold', () => {
    expect([0, 0.01, 10, 33.33, 100].map(thresholdOf)).toEqual([0, 1, 1000, 3333, 10000]);
  });
});
