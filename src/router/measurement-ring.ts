import type { ArmBatch, EndpointCounts } from '../core/judge/judge-types.js';
import type { MetricRead } from '../ports/metric-source.js';

/** Fixed latency buckets in seconds (Prometheus' defaults), the same in `/metrics` and windows. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export const ARMS = ['stable', 'canary'] as const;
export type Arm = (typeof ARMS)[number];

/** One request as the ring records it. */
export interface Observation {
  arm: Arm;
  route: string;
  /** The unit key (user, session), when the request carried one. */
  unit: string | undefined;
  error: boolean;
  seconds: number;
  /** Gauges the upstream reported on this response, e.g. { memory: 0.4 }. */
  gauges?: Record<string, number> | undefined;
}

class ArmSlot {
  requests = 0;
  errors = 0;
  /** Non-cumulative counts per bucket; the last cell is (10 s, +Inf). */
  readonly latency = new Uint32Array(LATENCY_BUCKETS.length + 1);
  readonly routes = new Map<string, EndpointCounts>();
  /** Non-cumulative latency counts per route (the post-release report's percentiles). */
  readonly routeLatency = new Map<string, number[]>();
  readonly units = new Set<string>();
  readonly errorUnits = new Set<string>();
  readonly gauges = new Map<string, { sum: number; n: number }>();

  reset(): void {
    this.requests = 0;
    this.errors = 0;
    this.latency.fill(0);
    this.routes.clear();
    this.routeLatency.clear();
    this.units.clear();
    this.errorUnits.clear();
    this.gauges.clear();
  }
}

class SecondSlot {
  second = -1;
  readonly arms: Record<Arm, ArmSlot> = { stable: new ArmSlot(), canary: new ArmSlot() };
}

function bucketIndex(seconds: number): number {
  for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
    if (seconds <= (LATENCY_BUCKETS[i] as number)) return i;
  }
  return LATENCY_BUCKETS.length;
}

/**
 * A ring of per-second measurement slots per arm, so the MetricSource can read any window
 * within the retention (default 15 minutes) without a time-series database.
 *
 * Windows are second-granular: a read of [from, to) covers every whole second that overlaps
 * it. Missing data is reported as missing (`ok: false` with a reason), never as zeros.
 */
export class MeasurementRing {
  private readonly slots: SecondSlot[];
  private readonly startedSecond: number;

  constructor(
    private readonly retentionSeconds: number,
    startedAtMs: number,
  ) {
    this.slots = Array.from({ length: retentionSeconds + 2 }, () => new SecondSlot());
    this.startedSecond = Math.floor(startedAtMs / 1000);
  }

  record(nowMs: number, o: Observation): void {
    const second = Math.floor(nowMs / 1000);
    const slot = this.slots[second % this.slots.length] as SecondSlot;
    if (slot.second !== second) {
      slot.second = second;
      slot.arms.stable.reset();
      slot.arms.canary.reset();
    }
    const arm = slot.arms[o.arm];
    const bucket = bucketIndex(o.seconds);
    arm.requests++;
    if (o.error) arm.errors++;
    (arm.latency[bucket] as number)++;
    let route = arm.routes.get(o.route);
    if (route === undefined) {
      route = { requests: 0, errors: 0 };
      arm.routes.set(o.route, route);
    }
    route.requests++;
    if (o.error) route.errors++;
    let lat = arm.routeLatency.get(o.route);
    if (lat === undefined) {
      lat = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
      arm.routeLatency.set(o.route, lat);
    }
    lat[bucket] = (lat[bucket] ?? 0) + 1;
    if (o.unit !== undefined) {
      arm.units.add(o.unit);
      if (o.error) arm.errorUnits.add(o.unit);
    }
    if (o.gauges !== undefined) {
      for (const name in o.gauges) {
        const value = o.gauges[name] as number;
        const g = arm.gauges.get(name);
        if (g === undefined) arm.gauges.set(name, { sum: value, n: 1 });
        else {
          g.sum += value;
          g.n++;
        }
      }
    }
  }

  /** Distinct units per arm over the last `seconds` seconds (for the `/metrics` gauge). */
  distinctUnits(nowMs: number, seconds: number): Record<Arm, number> {
    const to = Math.floor(nowMs / 1000) + 1;
    const sets = { stable: new Set<string>(), canary: new Set<string>() };
    for (const slot of this.slotsIn(to - seconds, to)) {
      for (const a of ARMS) for (const u of slot.arms[a].units) sets[a].add(u);
    }
    return { stable: sets.stable.size, canary: sets.canary.size };
  }

  /** Measurements of one window, or why there are none. */
  read(fromMs: number, toMs: number, nowMs: number): MetricRead {
    return mergeRawReads([this.readRaw(fromMs, toMs, nowMs)]);
  }

  /**
   * The window in a mergeable, JSON-serialisable form (unit keys as lists), so the cluster
   * primary can combine its workers' rings exactly, distinct units included.
   */
  readRaw(fromMs: number, toMs: number, nowMs: number): RawRead {
    if (!(Number.isFinite(fromMs) && Number.isFinite(toMs)) || toMs <= fromMs) {
      return {
        ok: false,
        reason: `window [${fromMs}, ${toMs}) is empty or invalid`,
        retryable: false,
      };
    }
    const first = Math.floor(fromMs / 1000);
    const end = Math.ceil(toMs / 1000);
    const nowSecond = Math.floor(nowMs / 1000);
    if (end <= this.startedSecond) {
      return {
        ok: false,
        reason: `window ends before the router started measuring (${new Date(this.startedSecond * 1000).toISOString()})`,
        retryable: false,
      };
    }
    if (first <= nowSecond - this.retentionSeconds) {
      return {
        ok: false,
        reason: `window starts more than ${this.retentionSeconds} s ago, beyond the router's retention`,
        retryable: false,
      };
    }
    if (first > nowSecond) {
      return { ok: false, reason: 'window is in the future', retryable: true };
    }
    const arms: Record<Arm, RawArm> = { stable: emptyRaw(), canary: emptyRaw() };
    const units: Record<Arm, Set<string>> = { stable: new Set(), canary: new Set() };
    const errorUnits: Record<Arm, Set<string>> = { stable: new Set(), canary: new Set() };
    for (const slot of this.slotsIn(first, end)) {
      for (const a of ARMS) {
        const src = slot.arms[a];
        const dst = arms[a];
        dst.requests += src.requests;
        dst.errors += src.errors;
        for (let i = 0; i < src.latency.length; i++) {
          dst.latency[i] = (dst.latency[i] ?? 0) + (src.latency[i] ?? 0);
        }
        for (const [route, c] of src.routes) addCounts(dst.endpoints, route, c);
        for (const [route, l] of src.routeLatency) addLatency(dst, route, l);
        for (const u of src.units) units[a].add(u);
        for (const u of src.errorUnits) errorUnits[a].add(u);
        for (const [name, g] of src.gauges) addGauge(dst.gauges, name, g);
      }
    }
    for (const a of ARMS) {
      arms[a].units = [...units[a]];
      arms[a].errorUnits = [...errorUnits[a]];
    }
    return { ok: true, arms };
  }

  private *slotsIn(first: number, end: number): Generator<SecondSlot> {
    const from = Math.max(first, end - this.retentionSeconds);
    for (let s = from; s < end; s++) {
      const slot = this.slots[s % this.slots.length] as SecondSlot;
      if (slot.second === s) yield slot;
    }
  }
}

/** One arm of a raw window read: counts plus the unit keys, mergeable across rings. */
export interface RawArm {
  requests: number;
  errors: number;
  /** Non-cumulative counts per LATENCY_BUCKETS cell, then the +Inf cell. */
  latency: number[];
  endpoints: Record<string, EndpointCounts>;
  /** Non-cumulative latency counts per route (absent from workers of older versions). */
  endpointLatency?: Record<string, number[]>;
  units: string[];
  errorUnits: string[];
  gauges: Record<string, { sum: number; n: number }>;
}

export type RawRead =
  | { ok: true; arms: Record<Arm, RawArm> }
  | { ok: false; reason: string; retryable: boolean };

function emptyRaw(): RawArm {
  return {
    requests: 0,
    errors: 0,
    latency: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
    endpoints: {},
    units: [],
    errorUnits: [],
    gauges: {},
  };
}

function addLatency(into: RawArm, route: string, counts: readonly number[]): void {
  into.endpointLatency ??= {};
  const acc = into.endpointLatency[route] ?? new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] ?? 0) + (counts[i] ?? 0);
  into.endpointLatency[route] = acc;
}

function addCounts(into: Record<string, EndpointCounts>, key: string, c: EndpointCounts): void {
  const e = into[key] ?? { requests: 0, errors: 0 };
  e.requests += c.requests;
  e.errors += c.errors;
  into[key] = e;
}

function addGauge(
  into: Record<string, { sum: number; n: number }>,
  name: string,
  g: { sum: number; n: number },
): void {
  const acc = into[name] ?? { sum: 0, n: 0 };
  acc.sum += g.sum;
  acc.n += g.n;
  into[name] = acc;
}

/**
 * Combine raw reads (one per ring: the single router's, or each cluster worker's) into the
 * MetricSource answer. No ring with data, or no request at all, is "no data", never zeros.
 */
export function mergeRawReads(parts: RawRead[]): MetricRead {
  const ok = parts.filter((p): p is Extract<RawRead, { ok: true }> => p.ok);
  if (ok.length === 0) {
    const first = parts.find((p): p is Extract<RawRead, { ok: false }> => !p.ok);
    return first ?? { ok: false, reason: 'no router measured this window', retryable: true };
  }
  const toArm = (a: Arm): ArmBatch => {
    const latency = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
    const endpoints: Record<string, EndpointCounts> = {};
    const gauges: Record<string, { sum: number; n: number }> = {};
    const units = new Set<string>();
    const errorUnits = new Set<string>();
    const merged = emptyRaw();
    let requests = 0;
    let errors = 0;
    for (const p of ok) {
      const r = p.arms[a];
      requests += r.requests;
      errors += r.errors;
      for (let i = 0; i < latency.length; i++) latency[i] = (latency[i] ?? 0) + (r.latency[i] ?? 0);
      for (const [k, c] of Object.entries(r.endpoints)) addCounts(endpoints, k, c);
      for (const [k, l] of Object.entries(r.endpointLatency ?? {})) addLatency(merged, k, l);
      for (const [k, g] of Object.entries(r.gauges)) addGauge(gauges, k, g);
      for (const u of r.units) units.add(u);
      for (const u of r.errorUnits) errorUnits.add(u);
    }
    for (const [k, l] of Object.entries(merged.endpointLatency ?? {})) {
      const e = endpoints[k];
      if (e !== undefined) e.latency = cumulative(l);
    }
    const arm: ArmBatch = {
      requests,
      errors,
      units: units.size,
      unitErrors: errorUnits.size,
      latency: cumulative(latency),
      endpoints,
    };
    const names = Object.keys(gauges);
    if (names.length > 0) {
      arm.gauges = {};
      for (const n of names) {
        const g = gauges[n] as { sum: number; n: number };
        arm.gauges[n] = g.sum / g.n;
      }
    }
    return arm;
  };
  const baseline = toArm('stable');
  const canary = toArm('canary');
  if (baseline.requests + canary.requests === 0) {
    return { ok: false, reason: 'no requests through the router in this window', retryable: true };
  }
  return { ok: true, batch: { baseline, canary } };
}

function cumulative(counts: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  let sum = 0;
  for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
    sum += counts[i] ?? 0;
    out[String(LATENCY_BUCKETS[i])] = sum;
  }
  sum += counts[LATENCY_BUCKETS.length] ?? 0;
  out['+Inf'] = sum;
  return out;
}
