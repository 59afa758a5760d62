import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusMetricSource } from '../../src/adapters/metrics/prometheus/prometheus-metric-source.js';
import { startCounterExporter } from '../helpers/counter-exporter.js';
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus-server.js';
import { haveBinary, waitFor } from '../helpers/real-servers.js';

const target = { service: 'checkout', environment: 'prod' };
const labels = { service: 'checkout', environment: 'prod' };

// The first batch after a weight change must not count traffic served at the old weight:
// the scrape that straddles the change carries it. Seen with the HAProxy example at a 5 s
// scrape interval: a healthy release halted on the sample-ratio guard ("canary 41.5 % vs
// planned 50 %") because the 50 % stage's first batch held seconds of 25 % traffic.
describe.skipIf(!haveBinary(PROMETHEUS))(
  'Prometheus metric source at a weight change (real prometheus)',
  () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanup.splice(0).reverse()) await c();
    });

    it('a window that starts at a change counts only what was scraped after it', async () => {
      const exporter = await startCounterExporter();
      cleanup.push(() => exporter.close());
      const prometheus = await startPrometheus([{ address: exporter.address, labels }]);
      cleanup.push(() => prometheus.close());
      const source = new PrometheusMetricSource({ url: prometheus.url, timeoutMs: 2_000 });
      const scrapedAfter = async (ms: number) =>
        waitFor('a fresh scrape', async () => ((await prometheus.newestSample('up')) ?? 0) > ms);

      // Every series exists before the change (a series born in the straddling scrape
      // counts from 0, like any new series).
      exporter.record('stable', 200, 0.02);
      exporter.record('canary', 200, 0.02);
      await scrapedAfter(Date.now());
      // Right after a scrape: traffic at the old split (80/20), then the change.
      await scrapedAfter(Date.now());
      for (let i = 0; i < 40; i++) exporter.record('stable', 200, 0.02);
      for (let i = 0; i < 10; i++) exporter.record('canary', 200, 0.02);
      const from = Date.now();
      // The next scrape straddles the change; after it, traffic at the new split (50/50).
      await scrapedAfter(from + 20);
      for (let i = 0; i < 25; i++) exporter.record('stable', 200, 0.02);
      for (let i = 0; i < 25; i++) exporter.record('canary', i < 5 ? 503 : 200, 0.02);
      const sent = Date.now();
      await scrapedAfter(sent + 20);
      const to = Date.now();

      const strict = await source.read(target, { from, to, startsAtChange: true });
      expect(strict.ok, JSON.stringify(strict)).toBe(true);
      if (!strict.ok) return;
      expect(strict.batch.baseline).toMatchObject({ requests: 25, errors: 0 });
      expect(strict.batch.canary).toMatchObject({ requests: 25, errors: 5 });
      expect(strict.batch.canary.latency?.['+Inf']).toBe(25);

      // Without the flag the windows tile on scrape times: the straddling scrape counts.
      const tiled = await source.read(target, { from, to });
      expect(tiled.ok, JSON.stringify(tiled)).toBe(true);
      if (!tiled.ok) return;
      expect(tiled.batch.baseline.requests).toBe(65);
      expect(tiled.batch.canary.requests).toBe(35);

      // No scrape after the change yet: nothing to count (not the whole counter).
      const last = (await prometheus.newestSample('up')) ?? to;
      const early = await source.read(target, {
        from: last + 1,
        to: last + 300,
        startsAtChange: true,
      });
      expect(early).toMatchObject({ ok: false, retryable: true });
      if (!early.ok) expect(early.reason).toMatch(/no requests/);
    });
  },
);
