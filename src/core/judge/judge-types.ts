/**
 * The judge's data model: one batch of measurements per arm, and the verdict.
 * Shared by the judge (core/judge), the MetricSource port, scenario files
 * (docs/scenario-format.md) and the engine. Pure data, JSON-serialisable.
 */

export interface EndpointCounts {
  requests: number;
  errors: number;
  /**
   * Cumulative latency histogram of this endpoint (same shape as ArmBatch.latency), when
   * the source measures per endpoint; the post-release report's per-endpoint percentiles.
   */
  latency?: Record<string, number>;
}

/** Measurements of one arm (baseline or canary) over one batch. */
export interface ArmBatch {
  requests: number;
  errors: number;
  /** Distinct randomisation units (users, sessions) seen, when the source knows them. */
  units?: number;
  /** Distinct units with at least one error. */
  unitErrors?: number;
  /** Cumulative latency histogram: upper bound in seconds ("0.1", "+Inf") → count ≤ bound. */
  latency?: Record<string, number>;
  /** Per-endpoint counts, keyed by route ("/v1/payment/process"). */
  endpoints?: Record<string, EndpointCounts>;
  /** Gauges sampled over the batch, e.g. { memory: 0.72 } (fraction 0..1). */
  gauges?: Record<string, number>;
}

/** One batch: what both arms saw between the previous batch and `t`. */
export interface Batch {
  /**
   * End of the batch in seconds since the start of the stage (or scenario), on the same
   * clock as the `nowSeconds` the judge is given (staleness is `nowSeconds - t`).
   */
  t: number;
  /** Planned canary weight in percent (0..100) during this batch. */
  weight: number;
  baseline: ArmBatch;
  canary: ArmBatch;
}

export const DECISIONS = [
  'continue',
  'promote',
  'pause',
  'rollback',
  'halt',
  'inconclusive',
] as const;
export type Decision = (typeof DECISIONS)[number];

export interface Finding {
  /** The gate or test that produced this finding, e.g. "error-rate.rollback", "srm". */
  gate: string;
  metric: string;
  /** Observed value(s), in the metric's unit. */
  observed?: Record<string, number>;
  /** Threshold in the gate's terms. */
  threshold?: number;
  /** The e-value, where the finding comes from a sequential test. */
  eValue?: number;
  /** Always-valid p-value min(1, 1/E). */
  pValue?: number;
  /** Confidence sequence for the canary/baseline ratio θ. */
  ratioInterval?: [number, number];
  /** What the counts were per: distinct units (users, sessions) or requests. */
  basis?: 'units' | 'requests';
  message: string;
}

export interface Verdict {
  decision: Decision;
  /** One sentence a person reads first: why this decision. */
  reason: string;
  /** The gate that decided, if any. */
  decidedBy?: string;
  findings: Finding[];
  /** Exposure so far in the stage. */
  exposure: { baselineRequests: number; canaryRequests: number; seconds: number };
  /** Observed rates per arm so far in the stage. */
  rates: {
    baseline: { errorRate: number };
    canary: { errorRate: number };
  };
  /** Always-valid p-value against "canary is no worse" (min over metrics). */
  pValue: number;
  /** Seconds since the last fresh batch (0 when this verdict is on fresh data). */
  dataAgeSeconds?: number;
}

/**
 * One traffic stage as the judge sees it (the Judge port's `JudgeStage` has this shape;
 * core cannot import ports). Seconds on the `nowSeconds` clock; weight in percent.
 */
export interface StageSpec {
  weight: number;
  minHoldSeconds: number;
  maxHoldSeconds: number;
  minCanaryRequests: number;
  onTimeout: 'promote' | 'pause' | 'rollback';
  /** Stage start; default: the `nowSeconds` of the first `observe` call. */
  startSeconds?: number;
}
