import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusMetricSource } from '../../src/adapters/metrics/prometheus/prometheus-metric-source.js';
import type { MetricRead } from '../../src/ports/metric-source.js';
import { startCounterExporter } from '../helpers/counter-exporter.js';
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus-server.js';
import { haveBinary, sleep, waitFor } from '../helpers/real-servers.js';

const target = { service: 'checkout', environment: 'prod' };
const labels = { service: 'checkout', environment: 'prod' };

describe.skipIf(!haveBinary(PROMETHEUS))(
  'Prometheus metric source failures (real prometheus)',
  () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });

    it('Prometheus killed mid-stream: reads are inconclusive, never zeros, and recover with the same data', async () => {
      const exporter = await startCounterExporter();
      cleanup.push(() => exporter.close());
      const prometheus = await startPrometheus([{ address: exporter.address, labels }]);
      cleanup.push(() => prometheus.close());
      // Default conventions: no query templates configured.
      const source = new PrometheusMetricSource({ url: prometheus.url, timeoutMs: 2_000 });
      const t0 = Date.now();
      let stop = false;
      const stream = (async () => {
        let i = 0;
        while (!stop) {
          exporter.record('stable', i % 20 === 0 ? 503 : 200, 0.02);
          if (i % 3 === 0) exporter.record('canary', 200, 0.2);
          i++;
          await sleep(20);
        }
      })();
      cleanup.push(async () => {
        stop = true;
        await stream;
      });
      const scrapedAfter = async (ms: number) =>
        waitFor('a fresh scrape', async () => ((await prometheus.newestSample('up')) ?? 0) > ms);

      await sleep(1_500);
      await scrapedAfter(Date.now());
      const before = await source.read(target, { from: t0, to: Date.now() });
      expect(before.ok, JSON.stringify(before)).toBe(true);
      if (!before.ok) return;
      expect(before.batch.baseline.requests).toBeGreaterThan(10);
      expect(before.batch.canary.requests).toBeGreaterThan(3);
      expect(before.batch.baseline.errors).toBeGreaterThan(0);
      expect(before.batch.canary.latency?.['0.1']).toBe(0);

      await prometheus.kill();
      const down: MetricRead[] = [];
      for (let i = 0; i < 3; i++) {
        down.push(await source.read(target, { from: t0, to: Date.now() }));
        await sleep(300);
      }
      for (const read of down) {
        expect(read).toMatchObject({ ok: false, retryable: true });
        if (!read.ok) expect(read.reason).toMatch(/unreachable/);
      }

      await prometheus.restart();
      stop = true;
      await stream;
      const sentAt = Date.now();
      await scrapedAfter(sentAt + 50);
      const after = await source.read(target, { from: t0, to: Date.now() });
      expect(after.ok, JSON.stringify(after)).toBe(true);
      if (!after.ok) return;
      // Counters are cumulative: the outage loses no request, every one is counted exactly.
      expect(after.batch.baseline.requests).toBe(exporter.totals.stable);
      expect(after.batch.canary.requests).toBe(exporter.totals.canary);
      expect(after.batch.canary.latency?.['+Inf']).toBe(exporter.totals.canary);
    });

    it('bad PromQL is not retryable and carries Prometheus’s own message; validate-style checks name it', async () => {
      const exporter = await startCounterExporter();
      cleanup.push(() => exporter.close());
      const prometheus = await startPrometheus([{ address: exporter.address, labels }]);
      cleanup.push(() => prometheus.close());
      const source = new PrometheusMetricSource({
        url: prometheus.url,
        queries: { errors: 'http_requests_total{{selector},code=~"5.."' },
      });
      const read = await source.read(target, { from: Date.now() - 5_000, to: Date.now() });
      expect(read).toMatchObject({ ok: false, retryable: false });
      if (!read.ok) expect(read.reason).toMatch(/parse error/);
      const checks = await source.checkQueries(target, Date.now());
      expect(checks.map((c) => [c.name, c.ok])).toEqual([
        ['requests', true],
        ['errors', false],
        ['latencyBuckets', true],
      ]);
      expect(checks[1]?.message).toMatch(/parse error/);
      expect(checks[0]?.message).toMatch(/baseline, canary/);
    });

    it('data older than the window end is reported as stale', async () => {
      const exporter = await startCounterExporter();
      cleanup.push(() => exporter.close());
      exporter.record('stable', 200, 0.01);
      exporter.record('canary', 200, 0.01);
      const prometheus = await startPrometheus([{ address: exporter.address, labels }]);
      cleanup.push(() => prometheus.close());
      const source = new PrometheusMetricSource({ url: prometheus.url });
      // A window ending 40 s from now: the newest sample is ~40 s older than its end.
      const now = Date.now();
      const read = await source.read(target, { from: now - 60_000, to: now + 40_000 });
      expect(read.ok, JSON.stringify(read)).toBe(true);
      if (read.ok) expect(read.staleSeconds).toBeGreaterThanOrEqual(38);
    });

    it('a slow or failing Prometheus-compatible API is inconclusive and retryable', async () => {
      const server = createServer((req, res) => {
        if (req.url?.startsWith('/slow')) return; // never answers
        res.statusCode = 503;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'overloaded' }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      cleanup.push(
        () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      );
      const addr = server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const window = { from: Date.now() - 10_000, to: Date.now() };
      const slow = await new PrometheusMetricSource({ url: `${base}/slow`, timeoutMs: 300 }).read(
        target,
        window,
      );
      expect(slow).toMatchObject({ ok: false, retryable: true });
      if (!slow.ok) expect(slow.reason).toMatch(/within 300 ms/);
      const failing = await new PrometheusMetricSource({ url: base }).read(target, window);
      expect(failing).toMatchObject({ ok: false, retryable: true });
      if (!failing.ok) expect(failing.reason).toMatch(/overloaded/);
    });
  },
);
