import { describe, expect, it } from 'vitest';
import { WallTimeMetricSource, WeightChanges } from '../../../src/demo/wall-time-metric-source.js';
import type { MetricRead, MetricSource, MetricWindow } from '../../../src/ports/metric-source.js';

const target = { service: 'payment-service', environment: 'production' };
const ok: MetricRead = {
  ok: true,
  batch: { baseline: { requests: 1, errors: 0 }, canary: { requests: 1, errors: 0 } },
};

function recording(): MetricSource & { windows: MetricWindow[] } {
  const windows: MetricWindow[] = [];
  return {
    name: 'recording',
    windows,
    read: async (_t, w) => {
      windows.push(w);
      return ok;
    },
  };
}

describe('WallTimeMetricSource', () => {
  it('maps a compressed-clock window to whole, finished wall seconds', async () => {
    const inner = recording();
    const now = Date.now();
    const second = Math.floor(now / 1000) * 1000;
    // clock = 60x: clock ms c maps to wall (c - origin) / 60 + origin; use origin 0 for clarity
    const source = new WallTimeMetricSource(inner, (c) => c / 60, new WeightChanges(), 0);
    const from = (second - 3_400) * 60; // 3.4 s ago in wall time
    await source.read(target, { from, to: now * 60 });
    expect(inner.windows).toEqual([{ from: second - 4_000, to: second }]);
  });

  it('starts at the first whole second after the last weight change', async () => {
    const inner = recording();
    const changes = new WeightChanges();
    const second = Math.floor(Date.now() / 1000) * 1000;
    changes.note(second - 2_500);
    const source = new WallTimeMetricSource(inner, (c) => c, changes, 0);
    await source.read(target, { from: second - 5_000, to: Date.now() });
    expect(inner.windows).toEqual([{ from: second - 2_000, to: second }]);
  });

  it('consecutive reads never share a second', async () => {
    const inner = recording();
    const source = new WallTimeMetricSource(inner, (c) => c, new WeightChanges(), 0);
    const second = Math.floor(Date.now() / 1000) * 1000;
    await source.read(target, { from: second - 3_000, to: Date.now() });
    // the engine's next window starts where the last batch was recorded (a little later)
    const first = inner.windows[0] as MetricWindow;
    await source.read(target, { from: first.to + 7, to: first.to + 1_000 });
    const second2 = inner.windows[1] as MetricWindow;
    expect(second2.from).toBe(first.to);
    expect(second2.to - second2.from).toBe(1_000);
  });
});
