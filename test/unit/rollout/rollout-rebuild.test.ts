import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/core/judge/judge-types.js';
import type { EngineInput } from '../../../src/core/rollout/rollout-machine.js';
import { rebuildSnapshot } from '../../../src/core/rollout/rollout-reducer.js';
import { COMMANDS, type RolloutSnapshot } from '../../../src/core/rollout/rollout-types.js';
import { seededRandom } from '../../../src/demo/seeded-random.js';
import { verdict } from '../../fakes/fake-judge.js';
import { healthyArm } from '../../fakes/fake-metric-source.js';
import { MachineHarness } from '../../fakes/machine-driver.js';
import { PLANS } from '../../fakes/plans.js';

const DECISIONS: Decision[] = [
  'continue',
  'continue',
  'inconclusive',
  'promote',
  'pause',
  'rollback',
  'halt',
];

/** An engine input that fits the rollout's state and step, chosen at random. */
function randomInput(s: RolloutSnapshot, rnd: () => number, windowFrom: string): EngineInput {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  if (s.state === 'pending') return { type: 'start' };
  if (s.state === 'rolling_back') {
    return pick<EngineInput>([
      { type: 'weight_applied', weight: 0, reason: 'rollback' },
      {
        type: 'call_failed',
        port: 'deployer',
        op: 'rollback',
        attempt: 1,
        attempts: 5,
        error: 'x',
        retryInMs: 1000,
      },
      { type: 'rollback_done', message: 'ok' },
      { type: 'rollback_failed', error: 'deployer down' },
    ]);
  }
  if (s.state !== 'running') return { type: 'error', error: 'late report' };
  const step = s.plan.steps[s.stepIndex]!;
  if (s.steps[s.stepIndex]?.state === 'pending') {
    return step.kind === 'traffic'
      ? { type: 'step_started', weight: step.weight }
      : { type: 'step_started' };
  }
  const common: EngineInput[] = [
    { type: 'error', error: 'store hiccup' },
    {
      type: 'call_failed',
      port: 'router',
      op: 'setWeight',
      attempt: 2,
      attempts: 5,
      error: 'refused',
    },
  ];
  switch (step.kind) {
    case 'traffic': {
      const batch =
        rnd() < 0.7
          ? { t: 10, weight: step.weight, baseline: healthyArm(), canary: healthyArm(100, 0) }
          : undefined;
      return pick<EngineInput>([
        ...common,
        { type: 'verdict', t: 10, batch, verdict: verdict(pick(DECISIONS)), windowFrom },
        { type: 'verdict', t: 10, batch, verdict: verdict('continue'), windowFrom },
        { type: 'hold_elapsed' },
        { type: 'pause', reason: 'router failed after 5 attempts' },
      ]);
    }
    case 'watch':
      return pick<EngineInput>([
        { type: 'watch_sample', t: 10, arm: rnd() < 0.5 ? healthyArm() : undefined, windowFrom },
        {
          type: 'watch_sample',
          t: 10,
          arm: {
            requests: 100,
            errors: 10,
            endpoints: { '/v1/payment/process': { requests: 5, errors: 1 } },
          },
          windowFrom,
        },
        { type: 'hold_elapsed' },
      ]);
    case 'checks':
      return {
        type: 'checks_done',
        results: [{ name: 'health', ok: rnd() < 0.85, durationMs: 3, message: 'm' }],
      };
    case 'deploy':
      return pick<EngineInput>([
        ...common,
        { type: 'deployed', target: step.target, message: 'ok' },
      ]);
    case 'approval':
      return { type: 'pause', reason: 'awaiting approval' };
  }
}

describe('rebuildSnapshot', () => {
  it('rebuilds the stored snapshot from the events alone, for 200 random command sequences', async () => {
    let transitions = 0;
    let refused = 0;
    let checks = 0;
    const reached = new Set<string>();
    const kinds = Object.values(PLANS);
    for (let seed = 1; seed <= 200; seed += 1) {
      const rnd = seededRandom(seed);
      const h = await MachineHarness.create(kinds[seed % kinds.length]!(), `ro-${seed}`);
      reached.add(h.snapshot.state);
      for (let n = 0; n < 60; n += 1) {
        const windowFrom = h.at();
        h.tick(Math.floor(rnd() * 90));
        try {
          if (rnd() < 0.3) {
            const name = COMMANDS[Math.floor(rnd() * COMMANDS.length)]!;
            await h.command(
              name.startsWith('o')
                ? { name, text: `note ${n}` }
                : { name, reason: rnd() < 0.5 ? 'why not' : undefined },
            );
          } else {
            await h.input(randomInput(h.snapshot, rnd, windowFrom));
          }
          transitions += 1;
          reached.add(h.snapshot.state);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('illegal_command');
          refused += 1;
        }
        if (n % 6 === 5) {
          const stored = h.store.peek(h.snapshot.id);
          expect(rebuildSnapshot(h.store.timeline(h.snapshot.id)!)).toEqual(stored);
          checks += 1;
        }
      }
    }
    expect(transitions).toBeGreaterThan(6_000);
    // every terminal state and the pause were reached by some sequence
    expect(reached).toEqual(
      new Set([
        'completed',
        'rolled_back',
        'failed',
        'paused',
        'running',
        'rolling_back',
        'pending',
      ]),
    );
    expect(refused).toBeGreaterThan(100);
    expect(checks).toBe(2000);
  }, 60_000); // 12 000 steps: ~3 s idle, longer on a loaded CI machine

  it('refuses a timeline with a gap', async () => {
    const h = await MachineHarness.create();
    await h.input({ type: 'start' });
    await h.input({ type: 'step_started' });
    const events = await h.events();
    expect(() => rebuildSnapshot([events[0]!, events[2]!])).toThrow(/seq 3 where 2 was expected/);
  });
});
