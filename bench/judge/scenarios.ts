import type { ArmBatch, Batch } from '../../src/core/judge/judge-types.js';
import type { Rng } from './random.js';

/**
 * The benchmark's scenario cells and a seeded generator of their batches (1 s each).
 * Traffic: RATE requests/s split binomially by the canary weight; errors Bernoulli per
 * request (or clustered per user); latency lognormal (median 100 ms, σ 0.6) reported as
 * a cumulative histogram on fixed bucket edges.
 */
export const RATE = 1000;
export const LATENCY_EDGES = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2];
export const EDGE_KEYS = LATENCY_EDGES.map(String);
const MEDIAN = 0.1;
const SIGMA = 0.6;

export interface Cell {
  id: string;
  group: 'error' | 'latency' | 'onset' | 'aa';
  label: string;
  /** Canary weight in percent, or a ramp [[from second, weight], …]. */
  weight: number | [number, number][];
  /** Baseline error rate. */
  p: number;
  /** Canary/baseline error-rate ratio (1 = no error regression). */
  theta: number;
  /** Seconds before the regression starts (error or latency). */
  onset: number;
  /** Canary latency scale factor − 1 (0.1 = +10 %). */
  latencyShift: number;
  /** Share of canary requests that get +300 ms (tail-only regression). */
  tail: number;
  /** ±80 % swings in traffic and base error rate over one compressed "day". */
  swings: boolean;
  /** Errors clustered by user (mean 5 errors per erroring user); units reported. */
  clustered: boolean;
  regression: boolean;
  /** Share of --runs this cell gets (1.2× and latency cells, outside the done-when checks). */
  runsShare: number;
  /** Cap on --max-seconds for this cell (the 1.2× cells, which no check uses). */
  maxSeconds?: number;
}

function cell(partial: Partial<Cell> & Pick<Cell, 'id' | 'group' | 'label'>): Cell {
  return {
    weight: 5,
    p: 0.01,
    theta: 1,
    onset: 0,
    latencyShift: 0,
    tail: 0,
    swings: false,
    clustered: false,
    regression: false,
    runsShare: 1,
    ...partial,
  };
}

export const RAMP: [number, number][] = [
  [0, 1],
  [300, 5],
  [600, 10],
  [900, 25],
  [1200, 50],
];

export function cells(): Cell[] {
  const out: Cell[] = [];
  for (const p of [0.01, 0.001]) {
    for (const theta of [2, 1.5, 1.2, 5]) {
      for (const weight of [1, 5, 10, 50]) {
        out.push(
          cell({
            id: `err-${theta}x-p${p * 100}-w${weight}`,
            group: 'error',
            label: `errors ${theta}× · base ${p * 100} % · canary ${weight} %`,
            weight,
            p,
            theta,
            regression: true,
            ...(theta === 1.2 ? { runsShare: 0.2, maxSeconds: 3600 } : {}),
          }),
        );
      }
    }
  }
  for (const shift of [0.05, 0.1, 0.2]) {
    out.push(
      cell({
        id: `lat-${shift * 100}pct`,
        group: 'latency',
        label: `latency +${shift * 100} % · canary 10 %`,
        weight: 10,
        latencyShift: shift,
        regression: true,
        runsShare: 0.4,
      }),
    );
  }
  out.push(
    cell({
      id: 'lat-tail',
      group: 'latency',
      label: 'latency tail-only (2 % of requests +300 ms) · canary 10 %',
      weight: 10,
      tail: 0.02,
      regression: true,
      runsShare: 0.4,
    }),
  );
  out.push(
    cell({
      id: 'onset-2x-p1-w5',
      group: 'onset',
      label: 'errors 2× from t=300 s · base 1 % · canary 5 %',
      theta: 2,
      onset: 300,
      regression: true,
    }),
  );
  out.push(cell({ id: 'aa-w5-p1', group: 'aa', label: 'A/A · canary 5 % · base 1 %' }));
  out.push(
    cell({
      id: 'aa-w50-p0.1',
      group: 'aa',
      label: 'A/A · canary 50 % · base 0.1 %',
      weight: 50,
      p: 0.001,
    }),
  );
  out.push(
    cell({
      id: 'aa-ramp',
      group: 'aa',
      label: 'A/A · ramp 1→5→10→25→50 % · base 1 %',
      weight: RAMP,
    }),
  );
  out.push(
    cell({
      id: 'aa-swings',
      group: 'aa',
      label: 'A/A · canary 10 % · ±80 % swings in traffic and base rate',
      weight: 10,
      swings: true,
    }),
  );
  out.push(
    cell({
      id: 'aa-clustered',
      group: 'aa',
      label: 'A/A · canary 10 % · errors clustered by user',
      weight: 10,
      clustered: true,
    }),
  );
  return out;
}

export function weightAt(c: Cell, t: number): number {
  if (typeof c.weight === 'number') return c.weight;
  let w = c.weight[0]![1];
  for (const [from, weight] of c.weight) if (t > from) w = weight;
  return w;
}

/** Swing period: one compressed "day" per half hour of scenario time. */
export const SWING_PERIOD = 1800;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** P(latency ≤ x) for the lognormal scaled by `scale`, with a share `tail` shifted +300 ms. */
export function latencyCdf(x: number, scale: number, tail: number): number {
  const base = phi(Math.log(x / (MEDIAN * scale)) / SIGMA);
  if (tail <= 0) return base;
  const shifted = x > 0.3 ? phi(Math.log((x - 0.3) / MEDIAN) / SIGMA) : 0;
  return (1 - tail) * base + tail * shifted;
}

/** Bucket probabilities (per finite edge, then the overflow) for one latency model. */
function bucketProbabilities(scale: number, tail: number): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const edge of LATENCY_EDGES) {
    const c = latencyCdf(edge, scale, tail);
    out.push(c - prev);
    prev = c;
  }
  out.push(1 - prev);
  return out;
}

const BASE_BUCKETS = bucketProbabilities(1, 0);

export class ScenarioStream {
  private readonly canaryBuckets: number[];

  constructor(
    readonly cell: Cell,
    private readonly rng: Rng,
  ) {
    this.canaryBuckets = bucketProbabilities(1 + cell.latencyShift, cell.tail);
  }

  /** The batch ending at second t (t = 1, 2, …). */
  next(t: number): Batch {
    const c = this.cell;
    const swing = c.swings ? Math.sin((2 * Math.PI * t) / SWING_PERIOD) : 0;
    const swingP = c.swings ? Math.sin((2 * Math.PI * t) / SWING_PERIOD + 1) : 0;
    const rate = Math.round(RATE * (1 + 0.8 * swing));
    const p = c.p * (1 + 0.8 * swingP);
    const weight = weightAt(c, t);
    const active = t > c.onset;
    const nC = this.rng.binomial(rate, weight / 100);
    const nB = rate - nC;
    const thetaNow = active ? c.theta : 1;
    const canaryBuckets = active ? this.canaryBuckets : BASE_BUCKETS;
    return {
      t,
      weight,
      canary: this.arm(nC, Math.min(1, p * thetaNow), canaryBuckets),
      baseline: this.arm(nB, p, BASE_BUCKETS),
    };
  }

  private arm(n: number, p: number, buckets: number[]): ArmBatch {
    const arm: ArmBatch = { requests: n, errors: 0, latency: this.histogram(n, buckets) };
    if (!this.cell.clustered) {
      arm.errors = this.rng.binomial(n, p);
      return arm;
    }
    // Users make 5 requests a second on average; an erroring user fails 5 on average.
    const units = Math.max(1, Math.round(n / 5));
    const erroringUnits = Math.min(units, this.rng.poisson((p * n) / 5));
    arm.units = units;
    arm.unitErrors = erroringUnits;
    arm.errors = Math.min(n, erroringUnits + this.rng.poisson(erroringUnits * 4));
    return arm;
  }

  private histogram(n: number, buckets: number[]): Record<string, number> {
    const out: Record<string, number> = {};
    let left = n;
    let mass = 1;
    let cumulative = 0;
    for (let i = 0; i < LATENCY_EDGES.length; i++) {
      const pi = buckets[i]!;
      const k = left > 0 && mass > 0 ? this.rng.binomial(left, Math.min(1, pi / mass)) : 0;
      left -= k;
      mass -= pi;
      cumulative += k;
      out[EDGE_KEYS[i]!] = cumulative;
    }
    out['+Inf'] = n;
    return out;
  }
}
