import type { Batch } from '../../src/core/judge/judge-types.js';
import { EDGE_KEYS, LATENCY_EDGES } from './scenarios.js';

/**
 * Faithful re-implementations of the fixed-rule judges rollgate is compared with. They
 * live in bench/ only. Each sees the same 1 s batches as rollgate and decides at its
 * interval boundaries.
 *
 * - Flagger-style: every `interval` seconds, checks computed over that interval
 *   (error rate vs baseline, p99 vs baseline); a failed check increments a counter that
 *   never resets during the analysis; rollback when it reaches `threshold`.
 * - Argo-style: every `interval` seconds a measurement over a trailing query window
 *   (`window`, the docs' `rate(...[5m])`); rollback when failed measurements exceed
 *   `failureLimit`. (consecutiveErrorLimit counts failed *queries*; the benchmark's
 *   metric source never fails, so it never triggers.)
 * - Kayenta-style: every `interval` seconds a Mann-Whitney U test per metric on the
 *   per-second series of canary vs baseline (two-sided at `confidence`, failing when the
 *   canary is higher); score = 100 × passing metrics / metrics; rollback when the score
 *   is below `marginal`.
 * All promote when the stage horizon ends without a rollback.
 */

export interface CheckRule {
  /** Error check fails when canary rate > baseline rate × (1 + errRel) + errAbs. */
  errRel: number;
  errAbs: number;
  /** Latency check fails when canary p99 > baseline p99 × (1 + latRel). */
  latRel: number;
}

export interface FlaggerConfig extends CheckRule {
  kind: 'flagger';
  interval: number;
  threshold: number;
}

export interface ArgoConfig extends CheckRule {
  kind: 'argo';
  interval: number;
  window: number;
  failureLimit: number;
}

export interface KayentaConfig {
  kind: 'kayenta';
  interval: number;
  confidence: number;
  pass: number;
  marginal: number;
}

export type PeerConfig = FlaggerConfig | ArgoConfig | KayentaConfig;

export function describePeer(c: PeerConfig): string {
  const rule = (r: CheckRule) =>
    `errors > baseline${r.errRel ? `×${1 + r.errRel}` : ''}${r.errAbs ? ` + ${r.errAbs * 100} pp` : ''}, p99 > baseline×${1 + r.latRel}`;
  switch (c.kind) {
    case 'flagger':
      return `interval ${c.interval}s, threshold ${c.threshold}; ${rule(c)}`;
    case 'argo':
      return `interval ${c.interval}s, query window ${c.window}s, failureLimit ${c.failureLimit}; ${rule(c)}`;
    case 'kayenta':
      return `interval ${c.interval}s, Mann-Whitney ${c.confidence * 100} %, pass ${c.pass}, marginal ${c.marginal}`;
  }
}

interface Window {
  cReq: number;
  cErr: number;
  bReq: number;
  bErr: number;
  cHist: Float64Array;
  bHist: Float64Array;
}

const NB = LATENCY_EDGES.length;

function emptyWindow(): Window {
  return {
    cReq: 0,
    cErr: 0,
    bReq: 0,
    bErr: 0,
    cHist: new Float64Array(NB + 1),
    bHist: new Float64Array(NB + 1),
  };
}

function histArray(latency: Record<string, number> | undefined, total: number): Float64Array {
  const out = new Float64Array(NB + 1);
  if (!latency) return out;
  for (let i = 0; i < NB; i++) out[i] = latency[EDGE_KEYS[i]!] ?? 0;
  out[NB] = total;
  return out;
}

/** p99 from a cumulative histogram array (linear inside the bucket). */
export function p99Of(h: Float64Array, q = 0.99): number {
  const total = h[NB]!;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let prevEdge = 0;
  let prevCum = 0;
  for (let i = 0; i < NB; i++) {
    const cum = h[i]!;
    if (cum >= rank) {
      if (cum === prevCum) return LATENCY_EDGES[i]!;
      return prevEdge + ((rank - prevCum) / (cum - prevCum)) * (LATENCY_EDGES[i]! - prevEdge);
    }
    prevEdge = LATENCY_EDGES[i]!;
    prevCum = cum;
  }
  return LATENCY_EDGES[NB - 1]!;
}

function checkFails(w: Window, r: CheckRule): boolean {
  const cRate = w.cReq > 0 ? w.cErr / w.cReq : 0;
  const bRate = w.bReq > 0 ? w.bErr / w.bReq : 0;
  if (w.cReq === 0) return true; // no data counts as a failed check (Flagger)
  if (cRate > bRate * (1 + r.errRel) + r.errAbs) return true;
  const cP = p99Of(w.cHist);
  const bP = p99Of(w.bHist);
  return Number.isFinite(cP) && Number.isFinite(bP) && cP > bP * (1 + r.latRel);
}

/** Per-second values kept for trailing windows and Mann-Whitney series. */
interface Second {
  cReq: number;
  cErr: number;
  bReq: number;
  bErr: number;
  cHist: Float64Array;
  bHist: Float64Array;
  cP99: number;
  bP99: number;
}

function addInto(w: Window, x: Second, sign: 1 | -1): void {
  w.cReq += sign * x.cReq;
  w.cErr += sign * x.cErr;
  w.bReq += sign * x.bReq;
  w.bErr += sign * x.bErr;
  for (let j = 0; j <= NB; j++) {
    w.cHist[j]! += sign * x.cHist[j]!;
    w.bHist[j]! += sign * x.bHist[j]!;
  }
}

/**
 * Runs many peer configurations over one stream of batches at once. Returns, per config,
 * the second at which it rolled back (undefined = never within the horizon).
 */
export class PeerBank {
  private readonly seconds: Second[] = [];
  private readonly failures: number[];
  readonly rollbackAt: (number | undefined)[];

  private readonly rolling = new Map<number, Window>();
  private readonly needP99: boolean;

  constructor(readonly configs: PeerConfig[]) {
    for (const c of configs) {
      if (c.kind === 'flagger') this.rolling.set(c.interval, emptyWindow());
      if (c.kind === 'argo') this.rolling.set(c.window, emptyWindow());
    }
    this.needP99 = configs.some((c) => c.kind === 'kayenta');
    this.failures = configs.map(() => 0);
    this.rollbackAt = configs.map(() => undefined);
  }

  private closed = false;

  get done(): boolean {
    return this.closed || this.rollbackAt.every((x) => x !== undefined);
  }

  /** The analysis ended (stage length reached): no more rollbacks. */
  close(): void {
    this.closed = true;
  }

  observe(batch: Batch): void {
    const s: Second = {
      cReq: batch.canary.requests,
      cErr: batch.canary.errors,
      bReq: batch.baseline.requests,
      bErr: batch.baseline.errors,
      cHist: histArray(batch.canary.latency, batch.canary.requests),
      bHist: histArray(batch.baseline.latency, batch.baseline.requests),
      cP99: Number.NaN,
      bP99: Number.NaN,
    };
    if (this.needP99) {
      s.cP99 = p99Of(s.cHist);
      s.bP99 = p99Of(s.bHist);
    }
    this.seconds.push(s);
    const t = batch.t;
    // Rolling sums per window length, updated incrementally.
    for (const [length, w] of this.rolling) {
      addInto(w, s, 1);
      const leaving = this.seconds[this.seconds.length - 1 - length];
      if (leaving) addInto(w, leaving, -1);
    }
    const windowOf = (length: number) => this.rolling.get(length)!;
    const zCache = new Map<number, [number, number]>();
    for (let i = 0; i < this.configs.length; i++) {
      if (this.rollbackAt[i] !== undefined) continue;
      const c = this.configs[i]!;
      if (t % c.interval !== 0) continue;
      let failed: boolean;
      if (c.kind === 'flagger') failed = checkFails(windowOf(c.interval), c);
      else if (c.kind === 'argo') failed = checkFails(windowOf(c.window), c);
      else {
        let z = zCache.get(c.interval);
        if (!z) {
          z = this.kayentaZ(c.interval);
          zCache.set(c.interval, z);
        }
        const limit = zTwoSided(c.confidence);
        const score = (100 * ((z[0] > limit ? 0 : 1) + (z[1] > limit ? 0 : 1))) / 2;
        if (score < c.marginal) this.rollbackAt[i] = t;
        continue;
      }
      if (!failed) continue;
      this.failures[i]!++;
      const limit = c.kind === 'flagger' ? c.threshold : c.failureLimit + 1;
      if (this.failures[i]! >= limit) this.rollbackAt[i] = t;
    }
  }

  /** Kayenta's Mann-Whitney z over the last `interval` seconds: error rate, p99 per second. */
  private kayentaZ(interval: number): [number, number] {
    const from = Math.max(0, this.seconds.length - interval);
    const cErr: number[] = [];
    const bErr: number[] = [];
    const cLat: number[] = [];
    const bLat: number[] = [];
    for (let i = from; i < this.seconds.length; i++) {
      const x = this.seconds[i]!;
      if (x.cReq > 0) cErr.push(x.cErr / x.cReq);
      if (x.bReq > 0) bErr.push(x.bErr / x.bReq);
      if (Number.isFinite(x.cP99)) cLat.push(x.cP99);
      if (Number.isFinite(x.bP99)) bLat.push(x.bP99);
    }
    return [mannWhitneyZ(cErr, bErr), mannWhitneyZ(cLat, bLat)];
  }
}

/**
 * Mann-Whitney U, normal approximation with tie correction: true when the canary
 * series is significantly higher at the two-sided `confidence` level.
 */
export function mannWhitneyHigh(canary: number[], baseline: number[], confidence: number): boolean {
  return mannWhitneyZ(canary, baseline) > zTwoSided(confidence);
}

/** The U statistic's z-score (positive = canary higher); 0 when there is too little data. */
export function mannWhitneyZ(canary: number[], baseline: number[]): number {
  const n1 = canary.length;
  const n2 = baseline.length;
  if (n1 < 3 || n2 < 3) return 0;
  const all: [number, number][] = [];
  for (const v of canary) all.push([v, 0]);
  for (const v of baseline) all.push([v, 1]);
  all.sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let tieTerm = 0;
  const n = n1 + n2;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]![0] === all[i]![0]) j++;
    const avg = (i + j + 2) / 2;
    const ties = j - i + 1;
    tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]![1] === 0) rankSum += avg;
    i = j + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 0;
  return (u - mean) / Math.sqrt(variance);
}

function zTwoSided(confidence: number): number {
  // Quantiles for the levels the benchmark uses.
  const table: Record<string, number> = {
    '0.95': 1.959964,
    '0.98': 2.326348,
    '0.99': 2.575829,
    '0.995': 2.807034,
    '0.998': 3.090232,
    '0.999': 3.290527,
  };
  const z = table[String(confidence)];
  if (z === undefined) throw new Error(`no z for confidence ${confidence}`);
  return z;
}

/** The peers at their documented defaults (as a team would translate the seed policy). */
export function defaultPeers(): PeerConfig[] {
  const seedRule: CheckRule = { errRel: 0, errAbs: 0.001, latRel: 0.1 };
  return [
    { kind: 'flagger', interval: 60, threshold: 1, ...seedRule },
    { kind: 'argo', interval: 60, window: 300, failureLimit: 0, ...seedRule },
    { kind: 'kayenta', interval: 60, confidence: 0.98, pass: 75, marginal: 50 },
  ];
}

/** The tuning grid: settings a team could choose to trade false rollbacks for speed. */
export function tunedGrid(): PeerConfig[] {
  const out: PeerConfig[] = [];
  const errRels = [0.1, 0.25, 0.5, 1, 2];
  const latRels = [0.1, 0.25];
  for (const interval of [10, 30, 60, 120]) {
    for (const errRel of errRels) {
      for (const latRel of latRels) {
        for (const threshold of [1, 2, 3, 5]) {
          out.push({ kind: 'flagger', interval, threshold, errRel, errAbs: 0, latRel });
          out.push({
            kind: 'argo',
            interval,
            window: Math.max(interval, 300),
            failureLimit: threshold - 1,
            errRel,
            errAbs: 0,
            latRel,
          });
        }
      }
    }
  }
  for (const interval of [30, 60, 120, 300]) {
    for (const confidence of [0.98, 0.99, 0.995, 0.999]) {
      for (const marginal of [50, 100])
        out.push({ kind: 'kayenta', interval, confidence, pass: 75, marginal });
    }
  }
  return out;
}
