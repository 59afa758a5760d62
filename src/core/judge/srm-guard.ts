import { logBeta } from './special-functions.js';

/**
 * Sample-ratio guard (ADR 0023): a Beta-binomial Bayes factor of the observed traffic
 * split against the planned weight. Under the planned split it is a nonnegative
 * martingale, so the chance it ever reaches 1/α is at most α. Each run of batches at one
 * planned weight is one segment with a fresh prior; segment factors multiply.
 */
export const SRM_CONCENTRATION = 100;

export class SrmGuard {
  private closedLogBf = 0;
  private weight: number | undefined;
  private nC = 0;
  private nB = 0;

  /** weight: planned canary share in percent. */
  add(weightPercent: number, canaryRequests: number, baselineRequests: number): void {
    if (weightPercent !== this.weight) {
      this.closedLogBf += this.segmentLogBf();
      this.weight = weightPercent;
      this.nC = 0;
      this.nB = 0;
    }
    this.nC += canaryRequests;
    this.nB += baselineRequests;
  }

  private segmentLogBf(): number {
    const w = (this.weight ?? 0) / 100;
    if (!(w > 0 && w < 1) || this.nC + this.nB === 0) return 0;
    const a = SRM_CONCENTRATION * w;
    const b = SRM_CONCENTRATION * (1 - w);
    return (
      logBeta(a + this.nC, b + this.nB) -
      logBeta(a, b) -
      this.nC * Math.log(w) -
      this.nB * Math.log(1 - w)
    );
  }

  logBayesFactor(): number {
    return this.closedLogBf + this.segmentLogBf();
  }

  /** Observed canary share of the current segment, in percent. */
  observedPercent(): number {
    const n = this.nC + this.nB;
    return n === 0 ? 0 : (100 * this.nC) / n;
  }

  plannedPercent(): number {
    return this.weight ?? 0;
  }
}
