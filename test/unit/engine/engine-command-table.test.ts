import { describe, expect, it } from 'vitest';
import { COMMAND_STATES } from '../../../src/core/rollout/rollout-commands.js';
import {
  COMMANDS,
  type CommandName,
  ROLLOUT_STATES,
  type RolloutState,
} from '../../../src/core/rollout/rollout-types.js';
import { EngineHarness } from '../../fakes/engine-harness.js';
import { flush, runUntil } from '../../fakes/manual-clock.js';
import { patchPlan, release } from '../../fakes/plans.js';

/** A patch rollout driven by a live engine into `state`. */
async function inState(state: RolloutState): Promise<{ h: EngineHarness; id: string }> {
  if (state === 'pending') {
    // created by a controller that stopped before starting it; another one takes commands
    const a = new EngineHarness();
    await a.engine.stop();
    const { id } = await a.start(release('patch'), patchPlan());
    return { h: a.sibling(), id };
  }
  const h = new EngineHarness();
  const { id } = await h.start(release('patch'), patchPlan());
  await runUntil(h.clock, () => h.store.peek(id)!.steps[2]!.state === 'running');
  const run = async (...cmds: CommandName[]) => {
    for (const c of cmds) await h.engine.command(id, c, '@ops');
    await flush();
  };
  switch (state) {
    case 'paused':
      await run('pause');
      break;
    case 'rolling_back':
      h.deployer.failNext('rollback', 2); // sits in backoff
      await run('abort');
      break;
    case 'rolled_back':
      await run('abort');
      break;
    case 'failed':
      h.deployer.failNext('rollback', 5);
      await run('abort');
      await h.until(id, ['failed']);
      break;
    case 'completed':
      await h.complete(id);
      break;
    default:
      break;
  }
  expect((await h.state(id)).state).toBe(state);
  return { h, id };
}

/** Where the rollout ends up after the command, once the engine has run. */
function eventually(command: CommandName, from: RolloutState): RolloutState {
  switch (command) {
    case 'pause':
      return 'paused';
    case 'resume':
    case 'promote':
    case 'promote_full':
      return 'completed';
    case 'abort':
    case 'rollback':
    case 'retry':
      return 'rolled_back';
    case 'observe':
      return from === 'pending' || from === 'running'
        ? 'completed'
        : from === 'rolling_back'
          ? 'rolled_back'
          : from;
  }
}

describe('every command in every state, through a running engine', () => {
  const cases = ROLLOUT_STATES.flatMap((state) =>
    COMMANDS.map((command) => ({ state, command, legal: COMMAND_STATES[command].includes(state) })),
  );

  it.each(cases)('$command in $state → legal: $legal', async ({ state, command, legal }) => {
    const { h, id } = await inState(state);
    const before = h.store.peek(id)!.lastSeq;
    const send = h.engine.command(id, { name: command, text: 'note', reason: 'table' }, '@ops');
    if (!legal) {
      await expect(send).rejects.toMatchObject({ code: 'illegal_command' });
      await flush();
      expect(
        h.store
          .timeline(id)
          .slice(before)
          .some((e) => e.actor === '@ops'),
      ).toBe(false);
      return;
    }
    await send;
    await h.engine.scan(); // what the background loop does every few seconds
    const end = await h.complete(id);
    expect(end.state).toBe(eventually(command, state));
    const events = h.events(id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    await h.engine.stop();
  });
});
