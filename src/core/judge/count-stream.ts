import type { GateSpec } from '../plan/plan-types.js';
import type { ArmBatch, Batch } from './judge-types.js';
import {
  addHistogram,
  countAbove,
  exceedanceAt,
  type Histogram,
  parseHistogram,
} from './latency-histogram.js';
import {
  GRID_MIN_K,
  gridIndexAtOrAbove,
  gridIndexAtOrBelow,
  gridTheta,
  RatioProfile,
} from './ratio-profile.js';

/**
 * One count stream compared canary vs baseline: errors (per unit or per request), the
 * errors of one endpoint, or the requests slower than a latency threshold τ. Its gates
 * (relative or delta) become nulls θ ≤ θ0 on the rate ratio (ADR 0021, 0022); the
 * stream starts testing once the nulls are fixed from the baseline ("calibration").
 */
export type StreamKind = 'errors' | 'endpoint' | 'latency';
export type GateLevel = 'rollback' | 'pause';

/** Baseline events needed before a θ0 that depends on the baseline rate is fixed. */
export const MIN_CALIBRATION_EVENTS = 20;
export const MIN_CALIBRATION_EXPOSURE = 1000;

export interface StreamGate {
  gate: GateSpec;
  level: GateLevel;
  /** θ0 as computed, and the grid index it was rounded up to. */
  theta0?: number;
  k0?: number;
  /** Batch time since which the gate has been conclusive without a break. */
  conclusiveSince?: number;
  /** Latched once the gate has been conclusive for its forSeconds (Ville: first crossing). */
  fired?: boolean;
  logE: number;
}

interface Counts {
  nC: number;
  yC: number;
  nB: number;
  yB: number;
  basis: 'units' | 'requests';
}

export class CountStream {
  readonly profile = new RatioProfile();
  calibrated = false;
  /** Latency threshold τ (seconds), fixed at calibration. */
  tau?: number;
  /** Promote null θP and its grid index, fixed at calibration. */
  thetaP?: number;
  kP?: number;
  basis: 'units' | 'requests' = 'requests';
  private calExposure = 0;
  private calEvents = 0;
  private calHistogram?: Histogram;
  /** Batch time at which the stream began testing (after calibration). */
  private startedAt?: number;

  constructor(
    readonly key: string,
    readonly kind: StreamKind,
    readonly gates: StreamGate[],
    private readonly promoteMargin: number,
    /** For kind "endpoint": the route; for "latency": the quantile (0..1). */
    private readonly endpoint?: string,
    readonly quantile?: number,
  ) {}

  get metric(): string {
    return this.gates[0]?.gate.metric ?? this.kind;
  }

  /** Add a fresh batch: calibrate first if needed, then feed the profile. */
  add(batch: Batch): void {
    if (!this.calibrated) {
      if (this.needsCalibrationData()) {
        this.accumulateCalibration(batch);
        this.tryCalibrate();
        return;
      }
      this.tryCalibrate();
    }
    const counts = this.countsOf(batch);
    if (!counts) return;
    this.basis = counts.basis;
    this.startedAt ??= batch.t - 1e-9;
    this.profile.advanceTo(batch.t - this.startedAt);
    this.profile.add(counts.nC, counts.yC, counts.nB, counts.yB);
  }

  private needsCalibrationData(): boolean {
    if (this.kind === 'latency') return true;
    return this.gates.some((g) => g.gate.comparison === 'delta');
  }

  private accumulateCalibration(batch: Batch): void {
    if (this.kind === 'latency') {
      const h = parseHistogram(batch.baseline.latency, batch.baseline.requests);
      if (h) this.calHistogram = addHistogram(this.calHistogram, h);
      return;
    }
    const c = this.countsOf(batch);
    if (!c) return;
    this.calExposure += c.nB;
    this.calEvents += c.yB;
  }

  private tryCalibrate(): void {
    if (this.kind === 'latency') {
      if (!this.calibrateLatency()) return;
    } else if (this.needsCalibrationData()) {
      if (this.calEvents < MIN_CALIBRATION_EVENTS || this.calExposure < MIN_CALIBRATION_EXPOSURE)
        return;
      const pB = this.calEvents / this.calExposure;
      for (const g of this.gates) {
        g.theta0 = g.gate.comparison === 'delta' ? 1 + g.gate.threshold / pB : 1 + g.gate.threshold;
      }
    } else {
      for (const g of this.gates) g.theta0 = 1 + g.gate.threshold;
    }
    for (const g of this.gates) g.k0 = gridIndexAtOrAbove(Math.max(1, g.theta0!));
    const tolerance = Math.min(...this.gates.map((g) => g.theta0!));
    this.thetaP = Math.max(tolerance, 1 + this.promoteMargin);
    this.kP = gridIndexAtOrBelow(this.thetaP);
    this.calibrated = true;
  }

  /** Pick τ near the baseline's quantile and turn each gate into an exceedance ratio. */
  private calibrateLatency(): boolean {
    const h = this.calHistogram;
    const q = this.quantile ?? 0.99;
    if (!h || h.total < Math.max(MIN_CALIBRATION_EXPOSURE / 2, MIN_CALIBRATION_EVENTS / (1 - q)))
      return false;
    const target = Math.log(1 - q);
    let best: number | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = 0; i < h.edges.length; i++) {
      const above = h.total - h.cumulative[i]!;
      if (above < MIN_CALIBRATION_EVENTS / 2) continue;
      const distance = Math.abs(Math.log(above / h.total) - target);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = h.edges[i]!;
      }
    }
    if (best === undefined) return false;
    const tau = best;
    const atTau = exceedanceAt(h, tau);
    for (const g of this.gates) {
      const shifted =
        g.gate.comparison === 'delta' ? tau - g.gate.threshold : tau / (1 + g.gate.threshold);
      g.theta0 = shifted <= 0 ? 1 / atTau : exceedanceAt(h, shifted) / atTau;
    }
    this.tau = tau;
    return true;
  }

  private countsOf(batch: Batch): Counts | undefined {
    const c = batch.canary;
    const b = batch.baseline;
    switch (this.kind) {
      case 'errors':
        if (hasUnits(c) && hasUnits(b)) {
          return {
            nC: c.units!,
            yC: c.unitErrors!,
            nB: b.units!,
            yB: b.unitErrors!,
            basis: 'units',
          };
        }
        return { nC: c.requests, yC: c.errors, nB: b.requests, yB: b.errors, basis: 'requests' };
      case 'endpoint': {
        const ce = c.endpoints?.[this.endpoint ?? ''];
        const be = b.endpoints?.[this.endpoint ?? ''];
        if (!ce || !be) return undefined;
        return {
          nC: ce.requests,
          yC: ce.errors,
          nB: be.requests,
          yB: be.errors,
          basis: 'requests',
        };
      }
      case 'latency': {
        if (this.tau === undefined) return undefined;
        const hc = parseHistogram(c.latency, c.requests);
        const hb = parseHistogram(b.latency, b.requests);
        if (!hc || !hb) return undefined;
        const yC = countAbove(hc, this.tau);
        const yB = countAbove(hb, this.tau);
        if (yC === undefined || yB === undefined) return undefined;
        return { nC: hc.total, yC, nB: hb.total, yB, basis: 'requests' };
      }
    }
  }

  /**
   * ln E of each gate's breach test; updates the gates' conclusive-since clocks. A gate
   * that has fired stays fired: the guarantee is about the first crossing of 1/α, and a
   * decision that flaps back would hide it.
   */
  updateGates(t: number, logThreshold: (level: GateLevel) => number): void {
    for (const g of this.gates) {
      if (g.k0 === undefined) continue;
      g.logE = this.profile.logEAboveWithRestarts(g.k0);
      if (g.fired) continue;
      if (g.logE >= logThreshold(g.level)) g.conclusiveSince ??= t;
      else g.conclusiveSince = undefined;
      if (g.conclusiveSince !== undefined && t - g.conclusiveSince >= g.gate.forSeconds)
        g.fired = true;
    }
  }

  /** ln E of the promote test (H0: θ ≥ θP); −∞ before calibration. */
  logEPromote(): number {
    if (this.kP === undefined) return Number.NEGATIVE_INFINITY;
    return this.profile.logEBelow(this.kP);
  }

  /** Rounded θ0 actually tested for a gate. */
  testedTheta0(g: StreamGate): number | undefined {
    return g.k0 === undefined ? undefined : gridTheta(g.k0);
  }

  testedThetaP(): number | undefined {
    return this.kP === undefined || this.kP < GRID_MIN_K ? undefined : gridTheta(this.kP);
  }
}

function hasUnits(arm: ArmBatch): boolean {
  return arm.units !== undefined && arm.units > 0 && arm.unitErrors !== undefined;
}
