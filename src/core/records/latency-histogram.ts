/**
 * Cumulative latency histograms as batches record them (Prometheus `le` buckets: upper
 * bound in seconds → count of observations ≤ bound): merge batches and read quantiles
 * the way `histogram_quantile` does (linear interpolation inside the bucket).
 */
import { quantile as judgeQuantile, parseHistogram } from '../judge/latency-histogram.js';

export type Histogram = Record<string, number>;

/** Sum histograms bucket by bucket (batches of the same arm). */
export function mergeHistograms(
  histograms: readonly (Histogram | undefined)[],
): Histogram | undefined {
  let out: Histogram | undefined;
  for (const h of histograms) {
    if (h === undefined) continue;
    out ??= {};
    for (const [k, v] of Object.entries(h)) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

/**
 * The q-quantile (0..1) in seconds, or undefined for an empty histogram: the judge's
 * reading (core/judge/latency-histogram.ts), so records and verdicts agree.
 */
export function quantile(h: Histogram | undefined, q: number): number | undefined {
  if (h === undefined) return undefined;
  const parsed = parseHistogram(h, 0);
  return parsed === undefined ? undefined : judgeQuantile(parsed, q);
}

export interface Percentiles {
  p50?: number;
  p95?: number;
  p99?: number;
}

export function percentiles(h: Histogram | undefined): Percentiles {
  const out: Percentiles = {};
  const p50 = quantile(h, 0.5);
  const p95 = quantile(h, 0.95);
  const p99 = quantile(h, 0.99);
  if (p50 !== undefined) out.p50 = p50;
  if (p95 !== undefined) out.p95 = p95;
  if (p99 !== undefined) out.p99 = p99;
  return out;
}
