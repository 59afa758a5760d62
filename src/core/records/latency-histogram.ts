/**
 * Cumulative latency histograms (Prometheus `le` buckets: upper bound in seconds → count
 * of observations ≤ bound): merge batches and read quantiles the way
 * `histogram_quantile` does (linear interpolation inside the bucket).
 */
export type Histogram = Record<string, number>;

function bound(key: string): number {
  return key === '+Inf' ? Number.POSITIVE_INFINITY : Number(key);
}

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

/** The q-quantile (0..1) in seconds, or undefined for an empty histogram. */
export function quantile(h: Histogram | undefined, q: number): number | undefined {
  if (h === undefined) return undefined;
  const buckets = Object.entries(h)
    .map(([k, v]) => ({ le: bound(k), count: v }))
    .filter((b) => !Number.isNaN(b.le))
    .sort((a, b) => a.le - b.le);
  const total = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Number.POSITIVE_INFINITY) return prevLe;
      const inBucket = b.count - prevCount;
      if (inBucket <= 0) return b.le;
      return prevLe + (b.le - prevLe) * ((rank - prevCount) / inBucket);
    }
    prevLe = b.le === Number.POSITIVE_INFINITY ? prevLe : b.le;
    prevCount = b.count;
  }
  return prevLe;
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
