import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app.js';
import type {
  RolloutSnapshot,
  RolloutState,
  TimelineEvent,
} from '../core/rollout/rollout-types.js';
import { EXIT } from './exit-codes.js';

export interface FollowOptions {
  /** Drive the rollout in this process (under its lease) while following it. */
  drive: boolean;
  /** States that end the follow. */
  until: readonly RolloutState[];
  onEvent?: (event: TimelineEvent) => void;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Where `release start --wait` stops: done, rolled back, failed, or waiting for a person. */
export const WAIT_ENDS: readonly RolloutState[] = ['completed', 'rolled_back', 'failed', 'paused'];
/** Where `status --watch` stops: the rollout is no longer in flight. */
export const WATCH_ENDS: readonly RolloutState[] = ['completed', 'rolled_back', 'failed'];

/**
 * Follows one rollout's timeline until it reaches one of `until` (or the signal aborts),
 * printing each new event. With `drive`, this process's engine drives the rollout: it takes
 * the rollout's lease, so when a `rollgate controller` already drives it, this process
 * only follows, and takes over if that controller dies (its lease expires).
 */
export async function followRollout(
  app: App,
  id: string,
  options: FollowOptions,
): Promise<RolloutSnapshot> {
  let seq = 0;
  const pollMs = options.pollMs ?? 250;
  for (;;) {
    const s = await app.store.getRollout(id);
    if (s === undefined) throw new Error(`rollout ${id} vanished from the store`);
    if (s.lastSeq > seq) {
      for (const e of await app.store.listEvents(id, seq)) {
        options.onEvent?.(e);
        seq = e.seq;
      }
    }
    if (options.until.includes(s.state) || options.signal?.aborted) return s;
    if (options.drive && !app.engine.activeRollouts().includes(id)) app.engine.kick(id);
    try {
      await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      // stopped: the loop returns the last snapshot
    }
  }
}

/** The exit code CI gates on. */
export function exitCodeForState(state: RolloutState): number {
  switch (state) {
    case 'completed':
      return EXIT.ok;
    case 'rolled_back':
      return EXIT.rolledBack;
    case 'paused':
      return EXIT.paused;
    case 'failed':
      return EXIT.failed;
    default:
      return EXIT.ok;
  }
}

/** An AbortSignal that fires on SIGINT or SIGTERM (listeners removed by `dispose`). */
export function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
