import { describe, expect, it } from 'vitest';
import {
  MeasurementRing,
  mergeRawReads,
  type Observation,
} from '../../../src/router/measurement-ring.js';

const T0 = 1_700_000_000_000;
const obs = (o: Partial<Observation>): Observation => ({
  arm: 'stable',
  route: '/v1/jobs',
  unit: undefined,
  error: false,
  seconds: 0.02,
  ...o,
});

describe('MeasurementRing', () => {
  it('sums a window per arm, per route, with cumulative latency and distinct units', () => {
    const ring = new MeasurementRing(60, T0);
    ring.record(T0 + 100, obs({ unit: 'a' }));
    ring.record(T0 + 1_200, obs({ unit: 'a', error: true, seconds: 0.3 }));
    ring.record(T0 + 2_500, obs({ unit: 'b', route: '/v1/health', seconds: 20 }));
    ring.record(
      T0 + 2_600,
      obs({ arm: 'canary', unit: 'c', error: true, gauges: { memory: 0.5 } }),
    );
    ring.record(T0 + 2_700, obs({ arm: 'canary', unit: 'c', gauges: { memory: 0.7 } }));
    const read = ring.read(T0, T0 + 3_000, T0 + 3_000);
    if (!read.ok) throw new Error(read.reason);
    const { baseline, canary } = read.batch;
    expect([baseline.requests, baseline.errors, baseline.units, baseline.unitErrors]).toEqual([
      3, 1, 2, 1,
    ]);
    expect(baseline.endpoints).toMatchObject({
      '/v1/jobs': { requests: 2, errors: 1 },
      '/v1/health': { requests: 1, errors: 0 },
    });
    // per-route latency, cumulative, in the same buckets (the report's per-endpoint percentiles)
    expect(baseline.endpoints?.['/v1/jobs']?.latency).toMatchObject({
      '0.025': 1,
      '0.25': 1,
      '0.5': 2,
      '+Inf': 2,
    });
    expect(baseline.endpoints?.['/v1/health']?.latency).toMatchObject({ '10': 0, '+Inf': 1 });
    expect(baseline.latency).toMatchObject({ '0.025': 1, '0.25': 1, '0.5': 2, '10': 2, '+Inf': 3 });
    expect([canary.requests, canary.errors, canary.units, canary.unitErrors]).toEqual([2, 1, 1, 1]);
    expect(canary.gauges?.memory).toBeCloseTo(0.6);
  });

  it('reads second-granular windows: any second overlapping the window counts', () => {
    const ring = new MeasurementRing(60, T0);
    ring.record(T0 + 500, obs({}));
    ring.record(T0 + 1_500, obs({}));
    const one = ring.read(T0 + 1_000, T0 + 1_001, T0 + 5_000);
    expect(one.ok && one.batch.baseline.requests).toBe(1);
    const both = ring.read(T0 + 999, T0 + 1_001, T0 + 5_000);
    expect(both.ok && both.batch.baseline.requests).toBe(2);
  });

  it('reports no data (not zeros) for an empty window, before the start, beyond retention', () => {
    const ring = new MeasurementRing(30, T0);
    ring.record(T0 + 100, obs({}));
    expect(ring.read(T0 + 5_000, T0 + 6_000, T0 + 10_000).ok).toBe(false);
    expect(ring.read(T0 - 60_000, T0 - 1_000, T0 + 10_000).ok).toBe(false);
    expect(ring.read(T0, T0 + 1_000, T0 + 40_000).ok).toBe(false);
    expect(ring.read(T0 + 2_000, T0 + 1_000, T0 + 10_000).ok).toBe(false);
  });

  it('overwrites a slot when the ring wraps, so old seconds never leak into new windows', () => {
    const ring = new MeasurementRing(10, T0);
    ring.record(T0, obs({ error: true }));
    const later = T0 + 12_000; // same slot index after the wrap
    ring.record(later, obs({}));
    const read = ring.read(later, later + 1_000, later + 500);
    expect(read.ok && [read.batch.baseline.requests, read.batch.baseline.errors]).toEqual([1, 0]);
  });
});

describe('mergeRawReads', () => {
  it('merges rings exactly: counts add up, a unit seen by two rings counts once', () => {
    const a = new MeasurementRing(60, T0);
    const b = new MeasurementRing(60, T0);
    a.record(T0 + 10, obs({ arm: 'canary', unit: 'u1', error: true }));
    a.record(T0 + 20, obs({ arm: 'canary', unit: 'u2' }));
    b.record(T0 + 30, obs({ arm: 'canary', unit: 'u1', seconds: 2 }));
    b.record(T0 + 40, obs({ unit: 'u9' }));
    const read = mergeRawReads([
      a.readRaw(T0, T0 + 1_000, T0 + 2_000),
      b.readRaw(T0, T0 + 1_000, T0 + 2_000),
    ]);
    if (!read.ok) throw new Error(read.reason);
    expect(read.batch.canary).toMatchObject({ requests: 3, errors: 1, units: 2, unitErrors: 1 });
    expect(read.batch.canary.latency).toMatchObject({ '0.025': 2, '2.5': 3, '+Inf': 3 });
    expect(read.batch.baseline).toMatchObject({ requests: 1, units: 1 });
  });

  it('is "no data" when no ring has data, with the first reason', () => {
    const a = new MeasurementRing(60, T0);
    const read = mergeRawReads([a.readRaw(T0 - 9_000, T0 - 5_000, T0)]);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).toMatch(/before the router started/);
  });
});
