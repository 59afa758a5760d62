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
});
