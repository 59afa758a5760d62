import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS } from '../../../src/router/measurement-ring.js';
import { RouteSeries } from '../../../src/router/route-series.js';

const NAMES = { requests: 'x_requests_total', latency: 'x_duration_seconds' };
const HELP = { requests: 'Requests.', latency: 'Latency.' };
const SAMPLES: ['stable' | 'canary', string, number][] = [
  ['stable', '/a', 0.003],
  ['stable', '/a', 0.005],
  ['stable', '/a', 0.0051],
  ['canary', '/a', 0.3],
  ['stable', '/b', 12],
  ['canary', '/b', 10],
];

/** The text prom-client's own metrics print, sorted (series order may differ). */
const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .sort();

describe('RouteSeries', () => {
  it('prints the same counter and histogram as prom-client would for the same requests', async () => {
    const ours = new RouteSeries(NAMES, HELP);
    const mine = new Registry();
    mine.registerMetric(ours.requestsMetric());
    mine.registerMetric(ours.latencyMetric());
    const reference = new Registry();
    const counter = new Counter({
      name: NAMES.requests,
      help: HELP.requests,
      labelNames: ['version', 'route'],
      registers: [reference],
    });
    const histogram = new Histogram({
      name: NAMES.latency,
      help: HELP.latency,
      labelNames: ['version', 'route'],
      buckets: [...LATENCY_BUCKETS],
      registers: [reference],
    });
    for (const [version, route, seconds] of SAMPLES) {
      ours.series(version, route).observe(seconds);
      counter.inc({ version, route });
      histogram.observe({ version, route }, seconds);
    }
    expect(lines(await mine.metrics())).toEqual(lines(await reference.metrics()));
  });

  it('hands out the same cells for the same series', () => {
    const s = new RouteSeries(NAMES, HELP);
    expect(s.series('canary', '/a')).toBe(s.series('canary', '/a'));
    expect(s.series('canary', '/a')).not.toBe(s.series('stable', '/a'));
  });
});
