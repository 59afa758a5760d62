import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArmBatch } from '../../src/core/judge/judge-types.js';
import type { MetricRead, MetricSource } from '../../src/ports/metric-source.js';
import type { RouteTarget } from '../../src/ports/router.js';

export type Version = 'stable' | 'canary';

export interface TrafficPlan {
  arm: Version;
  path: string;
  count: number;
  /** How many of them (the first ones) the upstream answers with a 5xx. */
  errors?: number;
  /** Upstream delay per request. */
  delayMs?: number;
  /** Unit keys: request i carries `${unitPrefix}-${i % units}`. */
  unitPrefix?: string;
  units?: number;
}

/** An implementation of the MetricSource port wired to its real backend. */
export interface MetricSourceHarness {
  source: MetricSource;
  target: RouteTarget;
  /** Send real requests through the measured path; resolves when all have been answered. */
  send(plan: TrafficPlan): Promise<void>;
  /** Resolve once everything sent is visible to the source (e.g. Prometheus scraped). */
  settle(): Promise<void>;
  /** The backend's clock (ms since the epoch). */
  now(): number;
  close(): Promise<void>;
}

export const METRIC_SOURCE_CASES = [
  'counts',
  'latency',
  'empty-window',
  'endpoints',
  'units',
] as const;
export type MetricSourceCase = (typeof METRIC_SOURCE_CASES)[number];

export interface MetricSourceContractOptions {
  skip?: Partial<Record<MetricSourceCase, string>>;
  /**
   * The source cannot see randomisation units (why): the `units` case then checks it says
   * so (no unit counts at all) instead of inventing them, and still counts the requests.
   */
  withoutUnits?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectOk(read: MetricRead): { baseline: ArmBatch; canary: ArmBatch } {
  if (!read.ok) throw new Error(`expected data, got ok:false (${read.reason})`);
  return read.batch;
}

function expectCumulative(arm: ArmBatch): void {
  const latency = arm.latency;
  expect(latency, 'latency histogram').toBeDefined();
  const entries = Object.entries(latency ?? {})
    .map(([le, n]) => [le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), n] as const)
    .sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < entries.length; i++) {
    expect((entries[i] as [number, number])[1]).toBeGreaterThanOrEqual(
      (entries[i - 1] as [number, number])[1],
    );
  }
  expect(latency?.['+Inf']).toBe(arm.requests);
}

/**
 * The MetricSource contract: the built-in router's measurements and Prometheus both run it.
 * A window read must count what a client really sent, per arm and per endpoint, and an
 * empty window is "no data", never zeros.
 */
export function metricSourceContract(
  name: string,
  factory: () => Promise<MetricSourceHarness>,
  options: MetricSourceContractOptions = {},
): void {
  describe(`MetricSource contract: ${name}`, () => {
    let h: MetricSourceHarness;
    const test = (c: MetricSourceCase, title: string, fn: () => Promise<void>) => {
      const reason = options.skip?.[c];
      if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, fn);
      else it(title, fn);
    };
    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h?.close();
    });

    test('counts', 'counts equal what a client sent, requests and errors per arm', async () => {
      const from = h.now();
      await h.send({ arm: 'stable', path: '/v1/contacts', count: 60, errors: 4 });
      await h.send({ arm: 'canary', path: '/v1/contacts', count: 25, errors: 3 });
      await h.settle();
      const b = expectOk(await h.source.read(h.target, { from, to: h.now() + 1 }));
      expect([b.baseline.requests, b.baseline.errors]).toEqual([60, 4]);
      expect([b.canary.requests, b.canary.errors]).toEqual([25, 3]);
    });

    test('latency', 'latency buckets are cumulative and consistent with the counts', async () => {
      const from = h.now();
      await h.send({ arm: 'stable', path: '/v1/jobs', count: 30 });
      await h.send({ arm: 'canary', path: '/v1/jobs', count: 10, delayMs: 120 });
      await h.settle();
      const b = expectOk(await h.source.read(h.target, { from, to: h.now() + 1 }));
      expectCumulative(b.baseline);
      expectCumulative(b.canary);
      // Every canary request took ≥ 120 ms: none in the ≤ 0.1 s bucket, all by +Inf.
      expect(b.canary.latency?.['0.1']).toBe(0);
      expect(b.canary.latency?.['+Inf']).toBe(10);
      expect(b.baseline.latency?.['+Inf']).toBe(30);
    });

    test('empty-window', 'an empty window is "no data", not zeros', async () => {
      await h.send({ arm: 'stable', path: '/v1/health', count: 5 });
      await h.settle();
      const idleFrom = h.now() + 1_100;
      await sleep(2_300);
      const read = await h.source.read(h.target, { from: idleFrom, to: idleFrom + 1_000 });
      expect(read.ok).toBe(false);
      if (!read.ok) expect(read.reason.length).toBeGreaterThan(0);
      const ancient = await h.source.read(h.target, { from: 1_000_000, to: 1_060_000 });
      expect(ancient.ok).toBe(false);
    });

    test('endpoints', 'counts per endpoint', async () => {
      const from = h.now();
      await h.send({ arm: 'stable', path: '/v1/contacts', count: 7, errors: 1 });
      await h.send({ arm: 'stable', path: '/v1/jobs', count: 5 });
      await h.send({ arm: 'canary', path: '/v1/payment/process', count: 9, errors: 2 });
      await h.settle();
      const b = expectOk(await h.source.read(h.target, { from, to: h.now() + 1 }));
      expect(b.baseline.endpoints?.['/v1/contacts']).toMatchObject({ requests: 7, errors: 1 });
      expect(b.baseline.endpoints?.['/v1/jobs']).toMatchObject({ requests: 5, errors: 0 });
      expect(b.canary.endpoints?.['/v1/payment/process']).toMatchObject({ requests: 9, errors: 2 });
      expect(b.canary.endpoints?.['/v1/contacts']).toBeUndefined();
      // a source that measures latency per endpoint: its histogram counts every request
      for (const arm of [b.baseline, b.canary]) {
        for (const e of Object.values(arm.endpoints ?? {})) {
          if (e.latency !== undefined) expect(e.latency['+Inf']).toBe(e.requests);
        }
      }
    });

    const unitsTitle =
      options.withoutUnits === undefined
        ? 'counts distinct units and units that saw an error'
        : `reports no unit counts rather than invented ones (${options.withoutUnits})`;
    test('units', unitsTitle, async () => {
      const from = h.now();
      // 15 requests from 5 users; the first 2 requests fail (users u-0 and u-1).
      await h.send({
        arm: 'canary',
        path: '/v1/contacts',
        count: 15,
        errors: 2,
        unitPrefix: 'u',
        units: 5,
      });
      // Baseline traffic too: a source may (rightly) call a window without it "no data".
      await h.send({ arm: 'stable', path: '/v1/contacts', count: 15, errors: 0 });
      await h.settle();
      const b = expectOk(await h.source.read(h.target, { from, to: h.now() + 1 }));
      if (options.withoutUnits === undefined) {
        expect(b.canary.units).toBe(5);
        expect(b.canary.unitErrors).toBe(2);
      } else {
        expect(b.canary.units).toBeUndefined();
        expect(b.canary.unitErrors).toBeUndefined();
        expect(b.canary.requests).toBe(15);
        expect(b.canary.errors).toBe(2);
      }
    });
  });
}
