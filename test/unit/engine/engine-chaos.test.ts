import { describe, expect, it } from 'vitest';
import { rebuildSnapshot } from '../../../src/core/rollout/rollout-reducer.js';
import { COMMANDS, type RolloutSnapshot } from '../../../src/core/rollout/rollout-types.js';
import { seededRandom } from '../../../src/demo/seeded-random.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import type { Rule } from '../../fakes/fake-judge.js';
import { flush } from '../../fakes/manual-clock.js';
import { PLANS, release } from '../../fakes/plans.js';

/** More runs for a soak: ROLLGATE_CHAOS_SEEDS=500 npx vitest run test/unit/engine/engine-chaos.test.ts */
const SEEDS = Number(process.env.ROLLGATE_CHAOS_SEEDS ?? 40);

const TERMINAL = ['completed', 'rolled_back'];

/** Heal every fake and steer the rollout to an end: resume pauses, retry failures. */
async function finish(h: EngineHarness, id: string): Promise<RolloutSnapshot> {
  h.router.heal();
  h.metrics.up();
  h.deployer.failNext('deploy', 0);
  h.deployer.failNext('rollback', 0);
  h.judge.rule = undefined;
  for (let i = 0; i < 50; i += 1) {
    const s = await h.until(id);
    if (TERMINAL.includes(s.state)) return s;
    await h.engine.command(id, s.state === 'failed' ? 'retry' : 'resume', '@fixer');
  }
  throw new Error('did not finish');
}

describe('chaos: random commands, failures, verdicts and controller kills against a live engine', () => {
  it(`keeps every invariant over ${SEEDS} random runs`, async () => {
    const kinds = ['patch', 'minor', 'breaking'] as const;
    const ends = new Map<string, number>();
    let totalEvents = 0;
    let paused = 0;
    let totalKills = 0;
    for (let seed = 1; seed <= SEEDS; seed += 1) {
      const rnd = seededRandom(seed);
      let h = new EngineHarness({
        retry: { attempts: 3, initialDelayMs: 500, maxDelayMs: 2000, factor: 2 },
      });
      const rule: Rule = (o) => {
        const x = rnd();
        if (o.batch === undefined) return x < 0.5 ? 'promote' : 'inconclusive'; // a judge that would promote on nothing
        if (x < 0.002) return 'rollback';
        if (x < 0.006) return 'pause';
        return o.nowSeconds >= o.stage.minHoldSeconds ? 'promote' : 'continue';
      };
      h.judge.rule = rule;
      let kills = 0;
      const kind = kinds[seed % 3]!;
      const { id } = await h.start(release(kind), PLANS[kind]());
      // an approval step is approved whenever the run happens to find it waiting
      const approve = async () => {
        const s = h.store.peek(id)!;
        if (s.state === 'paused' && s.pauseReason?.startsWith('awaiting approval')) {
          await h.engine.command(id, 'resume', '@rm');
        }
      };
      for (let n = 0; n < 400; n += 1) {
        const x = rnd();
        if (x < 0.03) {
          // mostly harmless commands; abort and rollback now and then
          const harmless = COMMANDS.filter((c) => c !== 'abort' && c !== 'rollback');
          const pool = rnd() < 0.15 ? COMMANDS : harmless;
          const name = pool[Math.floor(rnd() * pool.length)]!;
          await h.engine
            .command(id, { name, text: 'chaos note', reason: 'chaos' }, '@chaos')
            .catch((e: { code?: string }) => expect(e.code).toBe('illegal_command'));
        } else if (x < 0.05) {
          h.router.failNext(Math.floor(rnd() * 5));
        } else if (x < 0.08) {
          if (rnd() < 0.5) h.metrics.down();
          else h.metrics.up();
        } else if (x < 0.09) {
          h.deployer.failNext(rnd() < 0.5 ? 'deploy' : 'rollback', Math.floor(rnd() * 4));
        } else if (x < 0.095) {
          // the controller dies wherever it is; a new one takes over from the store
          await h.engine.stop();
          h = h.sibling();
          h.judge.rule = rule;
          void h.engine.run();
          kills += 1;
        } else {
          await flush();
          await approve();
          const next = h.clock.nextTimerAt();
          if (next !== undefined) h.clock.advanceTo(next);
        }
      }
      if (kills === 0) void h.engine.run();
      totalKills += kills;
      const end = await finish(h, id);
      ends.set(end.state, (ends.get(end.state) ?? 0) + 1);
      await flush();

      const events = h.events(id);
      totalEvents += events.length;
      paused += events.filter((e) => e.type === 'rollout.paused').length;
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(rebuildSnapshot(events)).toEqual(h.store.peek(id));
      // never promoted on missing data
      for (const e of events) {
        if (e.type === 'judge.verdict' && e.data.decision === 'promote')
          expect(e.data.batch).not.toBeNull();
      }
      // the router has the weight the store says
      expect(h.router.weightOf(end)).toBe(end.weight);
      expect(end.weight).toBe(end.state === 'completed' ? 100 : 0);
      // no notification twice
      const keys = h.store.outbox.map((m) => m.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length);
      await h.engine.stop();
    }
    // and the chaos was real: many pauses, thousands of events
    expect(paused).toBeGreaterThan(20);
    expect(totalEvents).toBeGreaterThan(2000);
    expect(totalKills).toBeGreaterThan(SEEDS / 4);
    // the runs reached both ends
    expect(ends.get('completed')).toBeGreaterThan(0);
    expect(ends.get('rolled_back')).toBeGreaterThan(0);
  }, 60_000);
});
