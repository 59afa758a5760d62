import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import { COMMAND_STATES } from '../../../src/core/rollout/rollout-commands.js';
import { rebuildSnapshot } from '../../../src/core/rollout/rollout-reducer.js';
import {
  COMMANDS,
  type CommandName,
  ROLLOUT_STATES,
  type RolloutState,
} from '../../../src/core/rollout/rollout-types.js';
import { MachineHarness } from '../../fakes/machine-driver.js';

async function inState(state: RolloutState): Promise<MachineHarness> {
  const h = await MachineHarness.create();
  if (state === 'pending') return h;
  await h.input({ type: 'start' });
  await h.input({ type: 'step_started' });
  switch (state) {
    case 'paused':
      await h.command('pause');
      break;
    case 'rolling_back':
      await h.command('abort');
      break;
    case 'rolled_back':
      await h.command('abort');
      await h.input({ type: 'rollback_done', message: 'ok' });
      break;
    case 'failed':
      await h.command('abort');
      await h.input({ type: 'rollback_failed', error: 'deployer down' });
      break;
    case 'completed':
      await h.command('promote_full');
      while (h.snapshot.state === 'running') await h.promote();
      break;
    default:
      break;
  }
  expect(h.snapshot.state).toBe(state);
  return h;
}

/** The state each legal command leads to. */
const RESULT: Record<CommandName, (from: RolloutState) => RolloutState> = {
  pause: () => 'paused',
  resume: () => 'running',
  promote: () => 'running',
  promote_full: () => 'running',
  abort: () => 'rolling_back',
  rollback: () => 'rolling_back',
  retry: () => 'rolling_back',
  observe: (from) => from,
};

const VERB: Record<string, string> = { promote_full: 'promote --full' };
const WORDS: Record<RolloutState, string> = {
  pending: 'pending (not started yet)',
  running: 'running',
  paused: 'paused',
  rolling_back: 'rolling back',
  rolled_back: 'rolled back',
  completed: 'completed',
  failed: 'failed',
};

describe('every command in every state', () => {
  const cases = ROLLOUT_STATES.flatMap((state) =>
    COMMANDS.map((command) => ({ state, command, legal: COMMAND_STATES[command].includes(state) })),
  );

  it('covers the whole table (7 states x 8 commands)', () => {
    expect(cases).toHaveLength(56);
    expect(cases.filter((c) => c.legal)).toHaveLength(22);
  });

  it.each(cases)('$command in $state (legal: $legal)', async ({ state, command, legal }) => {
    const h = await inState(state);
    const before = await h.stored();
    if (!legal) {
      let caught: unknown;
      try {
        await h.command(command);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(RollgateError);
      const e = caught as RollgateError;
      expect(e.code).toBe('illegal_command');
      expect(e.message).toBe(`cannot ${VERB[command] ?? command}: rollout is ${WORDS[state]}`);
      expect(e.hint).toBeTruthy();
      expect(await h.stored()).toEqual(before);
      return;
    }
    const next = await h.command(command);
    expect(next.state).toBe(RESULT[command](state));
    expect(next.epoch).toBe(before.epoch + 1);
    const events = await h.events();
    expect(
      events.slice(before.lastSeq).every((e) => e.actor === '@bob' || e.actor === 'rollgate'),
    ).toBe(true);
    expect(events.some((e) => e.actor === '@bob' && e.seq > before.lastSeq)).toBe(true);
    expect(rebuildSnapshot(events)).toEqual(await h.stored());
  });
});

describe('commands', () => {
  it('refuses promote during a rollback with the reason', async () => {
    const h = await inState('rolling_back');
    await expect(h.command('promote')).rejects.toThrow('cannot promote: rollout is rolling back');
  });

  it('refuses an actor that is not a person', async () => {
    const h = await inState('running');
    await expect(h.command('pause', 'bob')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('refuses an empty observation', async () => {
    const h = await inState('running');
    await expect(h.command({ name: 'observe', text: '  ' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('records an observation by the person, in any state, without changing state', async () => {
    const h = await inState('completed');
    await h.command({ name: 'observe', text: 'p99 on /checkout is flat' }, '@carol');
    const last = (await h.events()).at(-1)!;
    expect(last).toMatchObject({
      type: 'observation.added',
      actor: '@carol',
      message: 'p99 on /checkout is flat',
    });
    expect(h.snapshot.state).toBe('completed');
  });

  it('pause keeps the step; resume starts the step again', async () => {
    const h = await inState('running');
    await h.input({
      type: 'checks_done',
      results: [{ name: 'health', ok: true, durationMs: 1, message: 'ok' }],
    });
    await h.input({ type: 'step_started' }); // deploy
    await h.command({ name: 'pause', reason: 'waiting for the DB team' });
    expect(h.snapshot.pauseReason).toBe('paused by @bob: waiting for the DB team');
    expect(h.snapshot.steps[1]!.state).toBe('running');
    await h.command('resume');
    expect(h.snapshot.state).toBe('running');
    expect(h.snapshot.pauseReason).toBeUndefined();
    expect(h.snapshot.steps[1]).toEqual({ state: 'pending' });
  });

  it('promote --full skips the traffic steps below 100 %', async () => {
    const h = await inState('running');
    await h.command('promote_full');
    const states = h.snapshot.steps.map((s) => s.state);
    expect(states).toEqual([
      'succeeded',
      'pending',
      'pending',
      'skipped',
      'skipped',
      'skipped',
      'pending',
      'pending',
      'pending',
    ]);
    expect(h.snapshot.stepIndex).toBe(1);
  });

  it('promote on a traffic step whose weight is not set yet: set it first, then end the step', async () => {
    const h = await inState('running');
    for (let i = 0; i < 3; i += 1) await h.promote('@ops'); // checks, deploy, smoke
    expect(h.snapshot.steps[3]!.state).toBe('pending');
    await h.command('promote', '@ops');
    expect(h.snapshot).toMatchObject({ state: 'running', stepIndex: 3, weight: 0 });
    expect(h.snapshot.steps[3]!.detail).toEqual({ promoteOnStart: '@ops' });
    await h.input({ type: 'step_started', weight: 5 });
    expect(h.snapshot).toMatchObject({ stepIndex: 4, weight: 5 });
    expect(h.snapshot.steps[3]!.state).toBe('succeeded');
    expect(h.last.events.map((e) => e.type)).toEqual([
      'router.weight_set',
      'step.started',
      'step.completed',
      'rollout.promoted',
    ]);
  });

  it('rollback after completion goes back to the previous version', async () => {
    const h = await inState('completed');
    await h.command({ name: 'rollback', reason: 'support tickets about refunds' }, '@dana');
    expect(h.snapshot.state).toBe('rolling_back');
    const started = (await h.events()).find((e) => e.type === 'rollback.started')!;
    expect(started.data).toMatchObject({ trigger: 'person', to: 'v2.0.0', fromState: 'completed' });
    expect(started.message).toContain('rollback by @dana: support tickets about refunds');
  });

  it('retry after a failed rollback rolls back again', async () => {
    const h = await inState('failed');
    await h.command('retry');
    expect(h.snapshot.state).toBe('rolling_back');
    await h.input({ type: 'rollback_done', message: 'ok' });
    expect(h.snapshot.state).toBe('rolled_back');
  });
});
