/**
 * Cumulative latency histograms as scenario files and Prometheus give them:
 * upper bound in seconds ("0.1", "+Inf") → count of requests at or below it.
 */
export interface Histogram {
  /** Finite upper bounds, ascending. */
  edges: number[];
  /** Cumulative counts at each finite edge. */
  cumulative: number[];
  /** Total requests (the "+Inf" bucket, else the arm's request count). */
  total: number;
}

export function parseHistogram(
  latency: Record<string, number> | undefined,
  requests: number,
): Histogram | undefined {
  if (!latency) return undefined;
  const edges: number[] = [];
  const cumulative: number[] = [];
  let total: number | undefined;
  let sorted = true;
  for (const key in latency) {
    const count = latency[key]!;
    if (key === '+Inf' || key === 'Inf' || key === 'inf') {
      total = count;
      continue;
    }
    const edge = Number(key);
    if (edges.length > 0 && edge < edges[edges.length - 1]!) sorted = false;
    edges.push(edge);
    cumulative.push(count);
  }
  if (!sorted) {
    // Insertion sort in place: integer-like keys ("1", "2") come first in property order.
    for (let i = 1; i < edges.length; i++) {
      const e = edges[i]!;
      const c = cumulative[i]!;
      let j = i - 1;
      while (j >= 0 && edges[j]! > e) {
        edges[j + 1] = edges[j]!;
        cumulative[j + 1] = cumulative[j]!;
        j--;
      }
      edges[j + 1] = e;
      cumulative[j + 1] = c;
    }
  }
  return { edges, cumulative, total: total ?? requests };
}

/** Sum of histograms over the same edges (edges missing in one count as absent). */
export function addHistogram(into: Histogram | undefined, h: Histogram): Histogram {
  if (!into) return { edges: [...h.edges], cumulative: [...h.cumulative], total: h.total };
  const out: Histogram = { edges: [], cumulative: [], total: into.total + h.total };
  for (let i = 0; i < into.edges.length; i++) {
    const edge = into.edges[i]!;
    const j = h.edges.indexOf(edge);
    if (j < 0) continue;
    out.edges.push(edge);
    out.cumulative.push(into.cumulative[i]! + h.cumulative[j]!);
  }
  return out;
}

/** Requests slower than the edge τ (τ must be one of the histogram's edges). */
export function countAbove(h: Histogram, edge: number): number | undefined {
  const i = h.edges.indexOf(edge);
  if (i < 0) return undefined;
  return Math.max(0, h.total - h.cumulative[i]!);
}

/**
 * Fraction of requests slower than x, interpolating ln(exceedance) linearly in ln(x)
 * between edges (exact at edges). Below the first edge, the first edge's fraction.
 */
export function exceedanceAt(h: Histogram, x: number): number {
  if (h.total <= 0 || h.edges.length === 0) return 1;
  const frac = (i: number) => Math.max(0, h.total - h.cumulative[i]!) / h.total;
  if (x <= h.edges[0]!) return frac(0);
  for (let i = 1; i < h.edges.length; i++) {
    const hiEdge = h.edges[i]!;
    if (x <= hiEdge) {
      const loEdge = h.edges[i - 1]!;
      const fLo = frac(i - 1);
      const fHi = frac(i);
      if (fLo <= 0 || fHi <= 0 || loEdge <= 0) {
        const w = (x - loEdge) / (hiEdge - loEdge);
        return fLo + w * (fHi - fLo);
      }
      const w = Math.log(x / loEdge) / Math.log(hiEdge / loEdge);
      return Math.exp(Math.log(fLo) + w * (Math.log(fHi) - Math.log(fLo)));
    }
  }
  return frac(h.edges.length - 1);
}

/** Quantile q (0..1) by linear interpolation inside the bucket; the last edge if beyond. */
export function quantile(h: Histogram, q: number): number | undefined {
  if (h.total <= 0 || h.edges.length === 0) return undefined;
  const rank = q * h.total;
  let prevEdge = 0;
  let prevCum = 0;
  for (let i = 0; i < h.edges.length; i++) {
    const edge = h.edges[i]!;
    const cum = h.cumulative[i]!;
    if (cum >= rank) {
      if (cum === prevCum) return edge;
      return prevEdge + ((rank - prevCum) / (cum - prevCum)) * (edge - prevEdge);
    }
    prevEdge = edge;
    prevCum = cum;
  }
  // Beyond the last finite edge: at least that slow.
  return h.edges[h.edges.length - 1]!;
}
