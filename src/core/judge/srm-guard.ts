import type { ArmBatch } from './judge-types.js';
import { logBeta } from './special-functions.js';

/**
 * Sample-ratio guard (ADR 0023, 0180): a Beta-binomial Bayes factor of the observed traffic
 * split against the planned weight. Each run of batches at one planned weight is one
 * segment with a fresh prior; segment factors multiply.
 *
 * Two ways the traffic can have been split:
 * - **per request** (no unit counts in the batches): every request is an independent draw
 *   at the planned weight, so the null is the point w and the factor is a nonnegative
 *   martingale under it (the chance it ever reaches 1/α is at most α);
 * - **per unit** (sticky routing: the source counts distinct units per arm): the canary's
 *   share is the share of the *population* that hashes below the weight, which differs from
 *   w by finite-population chance (sd √(w(1−w)/U) for U units) however long one watches. The
 *   null is then that share, p ~ Beta(Uw, U(1−w)), with U the largest number of distinct
 *   units one batch has seen (a lower bound of the population, so conservative; the same
 *   population is split at every weight, so it carries across segments),
 *   and the counts are the units per batch, so a few heavy users cannot tilt it. A split the
 *   population cannot explain (1000 users, 8 % instead of 5 %) still halts; 3.8 % does not.
 */
export const SRM_CONCENTRATION = 100;

interface Segment {
  weight: number;
  /** Requests per arm (the per-request basis). */
  reqC: number;
  reqB: number;
  /** Distinct units per arm, summed over batches (the per-unit basis). */
  unitC: number;
  unitB: number;
  /** Whether every batch of the segment carried unit counts for both arms. */
  unitsKnown: boolean;
}

export class SrmGuard {
  private closedLogBf = 0;
  private segment: Segment | undefined;
  /** Largest distinct-unit count one batch has seen: the population's lower bound. */
  private population = 0;

  /** weightPercent: planned canary share in percent. */
  add(weightPercent: number, canary: ArmBatch, baseline: ArmBatch): void {
    if (weightPercent !== this.segment?.weight) {
      this.closedLogBf += this.segmentLogBf();
      this.segment = {
        weight: weightPercent,
        reqC: 0,
        reqB: 0,
        unitC: 0,
        unitB: 0,
        unitsKnown: true,
      };
    }
    const s = this.segment;
    s.reqC += canary.requests;
    s.reqB += baseline.requests;
    if (canary.units === undefined || baseline.units === undefined) {
      if (canary.requests + baseline.requests > 0) s.unitsKnown = false;
      return;
    }
    s.unitC += canary.units;
    s.unitB += baseline.units;
    this.population = Math.max(this.population, canary.units + baseline.units);
  }

  private basis(): { nC: number; nB: number; population: number } | undefined {
    const s = this.segment;
    if (s === undefined) return undefined;
    if (s.unitsKnown && s.unitC + s.unitB > 0)
      return { nC: s.unitC, nB: s.unitB, population: this.population };
    return { nC: s.reqC, nB: s.reqB, population: Number.POSITIVE_INFINITY };
  }

  private segmentLogBf(): number {
    const w = (this.segment?.weight ?? 0) / 100;
    const n = this.basis();
    if (n === undefined || !(w > 0 && w < 1) || n.nC + n.nB === 0) return 0;
    const alternative = logMarginal(SRM_CONCENTRATION, w, n.nC, n.nB);
    const nullHypothesis = Number.isFinite(n.population)
      ? logMarginal(n.population, w, n.nC, n.nB)
      : n.nC * Math.log(w) + n.nB * Math.log(1 - w);
    return alternative - nullHypothesis;
  }

  logBayesFactor(): number {
    return this.closedLogBf + this.segmentLogBf();
  }

  /** Observed canary share of the current segment, in percent (units when counted). */
  observedPercent(): number {
    const n = this.basis();
    if (n === undefined || n.nC + n.nB === 0) return 0;
    return (100 * n.nC) / (n.nC + n.nB);
  }

  plannedPercent(): number {
    return this.segment?.weight ?? 0;
  }

  /** What the observed share is of: distinct units (sticky routing) or requests. */
  observedBasis(): 'units' | 'requests' {
    return Number.isFinite(this.basis()?.population) ? 'units' : 'requests';
  }
}

/** log of the Beta(cw, c(1−w))-binomial likelihood of nC canary out of nC + nB (no binomial coefficient). */
function logMarginal(c: number, w: number, nC: number, nB: number): number {
  const a = c * w;
  const b = c * (1 - w);
  return logBeta(a + nC, b + nB) - logBeta(a, b);
}
