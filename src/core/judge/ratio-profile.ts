/**
 * The conditional-binomial log-likelihood of the canary/baseline rate ratio θ, kept on
 * one fixed log-spaced grid (ADR 0020). Every e-process and the confidence sequence of a
 * count stream are differences of this one profile, so a batch costs one pass over the
 * grid whatever the number of gates.
 *
 * Model: per batch, yC | s ~ Binomial(s, π(θ)), π(θ) = ρθ / (ρθ + 1), ρ = nC / nB,
 * s = yC + yB. The term yC·ln ρ is the same for every θ and cancels in differences.
 */

/** Grid step: ten points per factor of 10^(1/4) (θ_k = 10^(k/40), about 5.9 % apart). */
export const GRID_STEPS_PER_DECADE = 40;
const H = Math.LN10 / GRID_STEPS_PER_DECADE;
/** θ from 10^(-84/40) ≈ 0.008 to 10^(96/40) ≈ 251. */
export const GRID_MIN_K = -84;
export const GRID_MAX_K = 96;
const SIZE = GRID_MAX_K - GRID_MIN_K + 1;

/** Rollback alternatives: θ0·r with r log-spaced over [1.12, 10] (twelve points). */
export const ROLLBACK_STEPS = [2, 5, 8, 12, 15, 18, 22, 25, 28] as const;
/** Promote alternatives: θP / r with r log-spaced over [1.06, 4] (twelve points). */
export const PROMOTE_STEPS = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 24] as const;

export function gridTheta(k: number): number {
  return 10 ** (k / GRID_STEPS_PER_DECADE);
}

/** Smallest grid index with θ_k ≥ θ (conservative for a "worse than θ" null). */
export function gridIndexAtOrAbove(theta: number): number {
  const k = Math.ceil(Math.log10(theta) * GRID_STEPS_PER_DECADE - 1e-9);
  return clampK(k);
}

/** Largest grid index with θ_k ≤ θ (conservative for a "no better than θ" null). */
export function gridIndexAtOrBelow(theta: number): number {
  const k = Math.floor(Math.log10(theta) * GRID_STEPS_PER_DECADE + 1e-9);
  return clampK(k);
}

function clampK(k: number): number {
  if (!Number.isFinite(k)) return k > 0 ? GRID_MAX_K : GRID_MIN_K;
  return Math.min(GRID_MAX_K, Math.max(GRID_MIN_K, k));
}

/** The grid's largest ratio; an interval ending here is unbounded above. */
export const GRID_MAX_THETA = gridTheta(GRID_MAX_K);

const THETA = Float64Array.from({ length: SIZE }, (_, i) => gridTheta(i + GRID_MIN_K));

/** Weight of the breach test run from the stream's start; the rest goes to restarts. */
export const RESTART_FROM_START = 0.9;
/** Restart offsets, seconds after the stream began testing (doubling, up to 2 h). */
export const RESTART_OFFSETS = [30, 60, 120, 240, 480, 960, 1920, 3840] as const;

export class RatioProfile {
  private readonly ll = new Float64Array(SIZE);
  private readonly restarts: Float64Array[] = [];
  /** Batches that carried information (s > 0 and both arms exposed). */
  batches = 0;
  canaryExposure = 0;
  canaryEvents = 0;
  baselineExposure = 0;
  baselineEvents = 0;

  /** Add one batch: exposures (requests or units) and event counts per arm. */
  add(nC: number, yC: number, nB: number, yB: number): void {
    this.canaryExposure += nC;
    this.canaryEvents += yC;
    this.baselineExposure += nB;
    this.baselineEvents += yB;
    const s = yC + yB;
    if (nC <= 0 || nB <= 0 || s <= 0) return;
    this.batches++;
    const rho = nC / nB;
    const ll = this.ll;
    for (let i = 0; i < SIZE; i++) {
      ll[i]! += yC * (i + GRID_MIN_K) * H - s * Math.log1p(rho * THETA[i]!);
    }
  }

  /** ln E of the mixture test of H0: θ ≤ θ_k0 against θ = θ_k0 · r_j, from the start. */
  logEAbove(k0: number): number {
    return mixture(this.ll, k0, ROLLBACK_STEPS, 1, false);
  }

  /**
   * ln E of the breach test with delayed restarts (ADR 0026): weight RESTART_FROM_START on
   * the test from the start, the rest spread over copies restarted at fixed offsets
   * (RESTART_OFFSETS seconds after the stream began). Each copy is an e-process (it is 1
   * until its start), so the weighted average is one too, and a regression that begins
   * mid-stage is not held back by the evidence of "no harm" gathered before it began.
   */
  logEAboveWithRestarts(k0: number): number {
    const fromStart = mixture(this.ll, k0, ROLLBACK_STEPS, 1, false);
    const w = Math.log((1 - RESTART_FROM_START) / RESTART_OFFSETS.length);
    const terms = [Math.log(RESTART_FROM_START) + fromStart];
    for (const origin of this.restarts)
      terms.push(w + mixture(this.ll, k0, ROLLBACK_STEPS, 1, false, origin));
    // Copies not started yet are worth exactly 1 each.
    const pending = RESTART_OFFSETS.length - this.restarts.length;
    if (pending > 0) terms.push(w + Math.log(pending));
    let max = Number.NEGATIVE_INFINITY;
    for (const x of terms) if (x > max) max = x;
    let sum = 0;
    for (const x of terms) sum += Math.exp(x - max);
    return max + Math.log(sum);
  }

  /** Seconds since the stream began; takes a restart snapshot when an offset is passed. */
  advanceTo(elapsedSeconds: number): void {
    while (
      this.restarts.length < RESTART_OFFSETS.length &&
      elapsedSeconds >= RESTART_OFFSETS[this.restarts.length]!
    ) {
      this.restarts.push(this.ll.slice());
    }
  }

  /** ln E of the mixture test of H0: θ ≥ θ_k0 against θ = θ_k0 / r_j (promote). */
  logEBelow(k0: number): number {
    return mixture(this.ll, k0, PROMOTE_STEPS, -1, false);
  }

  /** A frozen copy, for evidence computed later (the confidence sequence). */
  snapshot(): ProfileSnapshot {
    return new ProfileSnapshot(this.ll.slice(), this.batches);
  }
}

/** The profile at one moment; computes the confidence sequence on demand. */
export class ProfileSnapshot {
  constructor(
    private readonly ll: Float64Array,
    readonly batches: number,
  ) {}

  /** Grid index of the maximum-likelihood ratio. */
  mleIndex(): number {
    let best = 0;
    for (let i = 1; i < SIZE; i++) if (this.ll[i]! > this.ll[best]!) best = i;
    return best + GRID_MIN_K;
  }

  /**
   * Anytime-valid confidence sequence for θ: the lower bound is the smallest grid ratio
   * the rollback-style test (H0: θ ≤ θ0) cannot reject at α, the upper bound the largest
   * the promote-style test (H0: θ ≥ θ0) cannot reject at α (each side 1 − α, jointly
   * 1 − 2α). It agrees with the decisions: a rollback at θ0 = 1 means a lower bound
   * above 1. Bounds at the grid's ends read as unbounded (0, GRID_MAX_THETA).
   */
  confidenceInterval(alpha: number): [number, number] {
    if (this.batches === 0) return [0, GRID_MAX_THETA];
    const limit = Math.log(1 / alpha);
    const mle = this.mleIndex();
    // Lower: the above-test's e-value falls as θ0 rises; bisect for the first k it accepts.
    const acceptsAbove = (k: number) => mixture(this.ll, k, ROLLBACK_STEPS, 1, false) < limit;
    let lo = GRID_MIN_K;
    if (!acceptsAbove(GRID_MIN_K)) {
      let rejected = GRID_MIN_K;
      let accepted = mle;
      if (!acceptsAbove(accepted)) accepted = GRID_MAX_K;
      while (accepted - rejected > 1) {
        const mid = Math.floor((accepted + rejected) / 2);
        if (acceptsAbove(mid)) accepted = mid;
        else rejected = mid;
      }
      lo = accepted;
    }
    // Upper: the below-test's e-value rises with θ0; bisect for the last k it accepts.
    const acceptsBelow = (k: number) => mixture(this.ll, k, PROMOTE_STEPS, -1, false) < limit;
    let hi = GRID_MAX_K;
    if (!acceptsBelow(GRID_MAX_K)) {
      let rejected = GRID_MAX_K;
      let accepted = mle;
      if (!acceptsBelow(accepted)) accepted = GRID_MIN_K;
      while (rejected - accepted > 1) {
        const mid = Math.floor((accepted + rejected) / 2);
        if (acceptsBelow(mid)) accepted = mid;
        else rejected = mid;
      }
      hi = accepted;
    }
    return [lo === GRID_MIN_K ? 0 : gridTheta(lo), gridTheta(Math.max(lo, hi))];
  }
}

/**
 * ln of the equal-weight mixture e-value at θ_k0 with alternatives θ_k0·10^(±m/40);
 * alternatives off the grid count as zero (conservative). Two-sided: both directions,
 * half the weight each.
 */
function mixture(
  ll: Float64Array,
  k0: number,
  steps: readonly number[],
  direction: 1 | -1,
  twoSided: boolean,
  origin?: Float64Array,
): number {
  const at = (i: number) => (origin ? ll[i]! - origin[i]! : ll[i]!);
  const i0 = k0 - GRID_MIN_K;
  const base = at(i0);
  let max = Number.NEGATIVE_INFINITY;
  for (const m of steps) {
    const a = i0 + direction * m;
    if (a >= 0 && a < SIZE && at(a) > max) max = at(a);
    if (twoSided) {
      const b = i0 - direction * m;
      if (b >= 0 && b < SIZE && at(b) > max) max = at(b);
    }
  }
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const m of steps) {
    const a = i0 + direction * m;
    if (a >= 0 && a < SIZE) sum += Math.exp(at(a) - max);
    if (twoSided) {
      const b = i0 - direction * m;
      if (b >= 0 && b < SIZE) sum += Math.exp(at(b) - max);
    }
  }
  const count = steps.length * (twoSided ? 2 : 1);
  return max - base + Math.log(sum / count);
}
