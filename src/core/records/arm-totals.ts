/**
 * Sums of recorded batches per arm (requests, errors, latency histogram, gauges), and the
 * plain-words evidence line the release log prints for a decision:
 * "P99 holding at 120 ms (baseline 118 ms); error rate 0.05 % (baseline 0.04 %)".
 */
import type { ArmBatch, EndpointCounts } from '../judge/judge-types.js';
import { type Histogram, mergeHistograms, quantile } from './latency-histogram.js';
import { count, latency, percent } from './record-format.js';
import type { RecordedBatch } from './rollout-history.js';

export interface EndpointTotals extends EndpointCounts {
  latency?: Histogram;
}

export interface ArmTotals {
  requests: number;
  errors: number;
  errorRate: number;
  latency?: Histogram;
  endpoints: Record<string, EndpointTotals>;
  /** Per gauge: average and peak of the sampled values. */
  gauges: Record<string, { avg: number; peak: number; samples: number }>;
}

export function sumArms(arms: readonly (ArmBatch | undefined)[]): ArmTotals {
  let requests = 0;
  let errors = 0;
  const endpoints: Record<string, EndpointTotals> = {};
  const gaugeSums: Record<string, { sum: number; peak: number; samples: number }> = {};
  const present = arms.filter((a): a is ArmBatch => a !== undefined);
  for (const a of present) {
    requests += a.requests;
    errors += a.errors;
    for (const [route, c] of Object.entries(a.endpoints ?? {})) {
      const e = endpoints[route] ?? { requests: 0, errors: 0 };
      e.requests += c.requests;
      e.errors += c.errors;
      const merged = mergeHistograms([e.latency, c.latency]);
      if (merged) e.latency = merged;
      endpoints[route] = e;
    }
    for (const [name, v] of Object.entries(a.gauges ?? {})) {
      const g = gaugeSums[name] ?? { sum: 0, peak: Number.NEGATIVE_INFINITY, samples: 0 };
      g.sum += v;
      g.peak = Math.max(g.peak, v);
      g.samples += 1;
      gaugeSums[name] = g;
    }
  }
  const gauges: ArmTotals['gauges'] = {};
  for (const [name, g] of Object.entries(gaugeSums)) {
    gauges[name] = { avg: g.sum / g.samples, peak: g.peak, samples: g.samples };
  }
  const hist = mergeHistograms(present.map((a) => a.latency));
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : 0,
    ...(hist === undefined ? {} : { latency: hist }),
    endpoints,
    gauges,
  };
}

export interface BatchTotals {
  canary: ArmTotals;
  baseline?: ArmTotals;
}

export function sumBatches(batches: readonly RecordedBatch[]): BatchTotals {
  const withBaseline = batches.filter((b) => b.baseline !== undefined);
  return {
    canary: sumArms(batches.map((b) => b.canary)),
    ...(withBaseline.length > 0 ? { baseline: sumArms(withBaseline.map((b) => b.baseline)) } : {}),
  };
}

/**
 * "P99 holding at 120 ms (baseline 118 ms); error rate 0.05 % (baseline 0.04 %); 6,000
 * requests on the new version", or undefined without data.
 */
export function evidenceWords(
  batches: readonly RecordedBatch[],
  verb = 'holding at',
): string | undefined {
  if (batches.length === 0) return undefined;
  const t = sumBatches(batches);
  if (t.canary.requests === 0) return undefined;
  const parts: string[] = [];
  const p99 = quantile(t.canary.latency, 0.99);
  const baseP99 = quantile(t.baseline?.latency, 0.99);
  if (p99 !== undefined) {
    parts.push(
      `P99 ${verb} ${latency(p99)}${baseP99 === undefined ? '' : ` (baseline ${latency(baseP99)})`}`,
    );
  }
  parts.push(
    `error rate ${percent(t.canary.errorRate)}${t.baseline ? ` (baseline ${percent(t.baseline.errorRate)})` : ''}`,
  );
  parts.push(`${count(t.canary.requests)} requests on the new version`);
  return parts.join('; ');
}
