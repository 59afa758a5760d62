import { describe, expect, it } from 'vitest';
import { Rng } from '../../../bench/judge/random.js';
import { cells, ScenarioStream } from '../../../bench/judge/scenarios.js';
import { createJudge } from '../../../src/core/judge/create-judge.js';
import type { Verdict } from '../../../src/core/judge/judge-types.js';
import {
  exceedanceAt,
  parseHistogram,
  quantile,
} from '../../../src/core/judge/latency-histogram.js';
import { gate, policy, STAGE } from './judge-fixtures.js';

const cell = (id: string) => cells().find((c) => c.id === id)!;

function runCell(
  id: string,
  gates: Parameters<typeof policy>[0],
  seed: number,
  seconds: number,
): { v: Verdict; t: number } {
  const stream = new ScenarioStream(cell(id), new Rng(seed));
  const session = createJudge(policy(gates)).startStage({
    ...STAGE,
    weight: 10,
    minHoldSeconds: 100_000,
    maxHoldSeconds: 100_000,
  });
  let v: Verdict | undefined;
  for (let t = 1; t <= seconds; t++) {
    v = session.observe(stream.next(t), t);
    if (v.decision !== 'continue') return { v, t };
  }
  return { v: v!, t: seconds };
}

describe('latency gates as exceedance tests', () => {
  const p99Pause = gate({
    name: 'p99-pause',
    metric: 'latency_p99',
    comparison: 'relative',
    threshold: 0.1,
    action: 'pause',
  });
  const p99NoGo = gate({
    name: 'p99-no-go',
    metric: 'latency_p99',
    comparison: 'relative',
    threshold: 0.25,
    action: 'no_go',
  });

  it('fixes τ near the baseline p99 and turns "10 % / 25 % above" into exceedance ratios above 1', () => {
    const { v } = runCell('aa-w5-p1', [p99Pause, p99NoGo], 1, 30);
    const pause = v.findings.find((f) => f.gate === 'p99-pause')!;
    const noGo = v.findings.find((f) => f.gate === 'p99-no-go')!;
    expect(pause.observed!.tauSeconds).toBe(0.4); // lognormal(100 ms, σ 0.6): p99 ≈ 0.40 s
    expect(pause.threshold!).toBeGreaterThan(1.2);
    expect(noGo.threshold!).toBeGreaterThan(pause.threshold!);
  });

  it('pauses a tail-only regression (2 % of requests +300 ms) that leaves the median alone', () => {
    const { v, t } = runCell('lat-tail', [p99Pause, p99NoGo], 2, 1800);
    expect(v.decision).toBe('pause');
    expect(v.decidedBy).toBe('p99-pause');
    expect(t).toBeLessThan(900);
  });

  it('does not pause an equal canary on latency', () => {
    const { v } = runCell('aa-w5-p1', [p99Pause], 3, 900);
    expect(v.decision).toBe('continue');
  });

  it('reads histograms: quantile and log-interpolated exceedance', () => {
    const h = parseHistogram({ '2': 100, '0.1': 50, '0.5': 90, '+Inf': 100 }, 100)!;
    expect(h.edges).toEqual([0.1, 0.5, 2]);
    expect(quantile(h, 0.5)).toBeCloseTo(0.1, 12);
    expect(quantile(h, 0.7)).toBeCloseTo(0.3, 12);
    expect(exceedanceAt(h, 0.1)).toBeCloseTo(0.5, 12);
    const mid = exceedanceAt(h, Math.sqrt(0.05));
    expect(mid).toBeCloseTo(Math.sqrt(0.5 * 0.1), 12);
  });
});

describe('statistical gates on critical endpoints', () => {
  it('rolls back when one endpoint is conclusively worse than on the baseline', () => {
    const g = gate({
      name: 'pay-errors',
      metric: 'endpoint_errors',
      comparison: 'relative',
      threshold: 0,
      action: 'no_go',
      endpoints: ['/pay'],
    });
    const session = createJudge(policy([g])).startStage(STAGE);
    let v: Verdict | undefined;
    let t = 0;
    for (t = 1; t <= 300; t++) {
      v = session.observe(
        {
          t,
          weight: 10,
          canary: {
            requests: 100,
            errors: 2,
            endpoints: { '/pay': { requests: 20, errors: t % 2 } },
          },
          baseline: {
            requests: 900,
            errors: 18,
            endpoints: { '/pay': { requests: 180, errors: t % 5 === 0 ? 1 : 0 } },
          },
        },
        t,
      );
      if (v.decision !== 'continue') break;
    }
    expect(v!.decision).toBe('rollback');
    expect(v!.decidedBy).toBe('pay-errors');
    expect(t).toBeLessThan(120);
  });
});
