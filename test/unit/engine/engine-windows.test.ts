import { describe, expect, it } from 'vitest';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { minorPlan, release } from '../../fakes/plans.js';

describe('metric windows', () => {
  it('the first window of each analysed traffic step starts at its weight change; the rest tile', async () => {
    const h = new EngineHarness();
    const plan = minorPlan();
    const r = await h.start(release('minor'), plan);
    expect((await h.complete(r.id)).state).toBe('completed');
    const analysed = plan.steps.flatMap((s, i) => (s.kind === 'traffic' && s.analysis ? [i] : []));
    const starts = h
      .events(r.id)
      .filter((e) => e.type === 'step.started' && analysed.includes(e.data.step as number))
      .map((e) => Date.parse(e.at));
    expect(starts).toHaveLength(analysed.length);
    const atChange = h.metrics.windows.filter((w) => w.startsAtChange === true);
    // One flagged window per analysed step, starting when its weight was set; no other.
    expect(atChange.map((w) => w.from)).toEqual(starts);
    expect(h.metrics.windows.length).toBeGreaterThan(atChange.length);
  });

  it('windows tile exactly even when a read takes time: the next starts where the last ended', async () => {
    const h = new EngineHarness();
    const plan = minorPlan();
    // A slow metric source: every read takes 700 ms of the engine's clock.
    h.metrics.setGenerator(() => {
      h.clock.advance(700);
      return {
        ok: true,
        batch: { baseline: { requests: 1000, errors: 0 }, canary: { requests: 60, errors: 0 } },
      };
    });
    const r = await h.start(release('minor'), plan);
    expect((await h.complete(r.id)).state).toBe('completed');
    const windows = h.metrics.windows;
    const stepStarts = h
      .events(r.id)
      .filter((e) => e.type === 'step.started')
      .map((e) => Date.parse(e.at));
    let continued = 0;
    for (let i = 1; i < windows.length; i++) {
      const w = windows[i]!;
      if (stepStarts.includes(w.from)) continue; // a step's first window
      expect(w.startsAtChange).toBeUndefined();
      expect(w.from).toBe(windows[i - 1]!.to);
      continued += 1;
    }
    expect(continued).toBeGreaterThan(5);
  });
});
