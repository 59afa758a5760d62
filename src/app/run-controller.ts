import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app.js';
import type { RolloutState, TimelineEvent } from '../core/rollout/rollout-types.js';

/** States a controller has work in (paused rollouts wait for a person's command). */
const ACTIVE: readonly RolloutState[] = ['pending', 'running', 'rolling_back'];
/** States whose timelines a controller follows (a paused one may be resumed by a person). */
const FOLLOWED: readonly RolloutState[] = ['pending', 'running', 'paused', 'rolling_back'];

export interface ControllerOptions {
  /** Ends the controller; it then stops the engine (nothing more is written). */
  signal: AbortSignal;
  /** Return once no rollout is pending, running or rolling back (CI, tests). */
  exitWhenIdle?: boolean;
  /** How often (wall ms) the timelines are polled for new events. */
  pollMs?: number;
  /** Every new timeline event of a followed rollout, in order. */
  onEvent?: (event: TimelineEvent) => void;
}

/**
 * Runs the engine loop (and the outbox dispatcher, when notifiers are configured) until
 * the signal aborts, or, with `exitWhenIdle`, until nothing is left to drive; prints the
 * timelines of the rollouts in flight as they grow. (A person's command from another
 * process reaches the engine through its scan, which wakes the rollout's worker.)
 */
export async function runController(app: App, options: ControllerOptions): Promise<void> {
  const { engine, store, outbox } = app;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) stop.abort();
  const loops: Promise<void>[] = [engine.run(stop.signal)];
  if (hasNotifiers(app)) loops.push(outbox.run(stop.signal));
  if (app.keeper) loops.push(app.keeper.run(stop.signal));
  const seen = new Map<string, number>();
  const pollMs = options.pollMs ?? 500;
  const reconcile = reconciler(app);
  try {
    while (!stop.signal.aborted) {
      reconcile();
      const followed = await store.listRollouts({ states: FOLLOWED });
      for (const r of followed) {
        const last = seen.get(r.id);
        if (last === r.lastSeq) continue;
        const events = await store.listEvents(r.id, last ?? 0);
        for (const e of events) options.onEvent?.(e);
        seen.set(r.id, r.lastSeq);
      }
      await flushFinished(app, seen, new Set(followed.map((r) => r.id)), options);
      if (options.exitWhenIdle && !followed.some((r) => ACTIVE.includes(r.state))) break;
      try {
        await sleep(pollMs, undefined, { signal: stop.signal });
      } catch {
        break;
      }
    }
  } finally {
    stop.abort();
    options.signal.removeEventListener('abort', onAbort);
    await engine.stop();
    await Promise.allSettled(loops);
    await reconcile.done();
  }
}

/**
 * The rollback reaction's catch-up (ADR 0140): rollbacks a killed controller left without
 * a post-mortem are finished at start, then on a pass every few seconds; one at a time.
 */
function reconciler(app: App, everyMs = 5_000): (() => void) & { done(): Promise<void> } {
  let running: Promise<void> | undefined;
  let last = Number.NEGATIVE_INFINITY;
  const run = () => {
    const records = app.records;
    if (!records || running || Date.now() - last < everyMs) return;
    last = Date.now();
    running = records
      .reconcile()
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
  };
  return Object.assign(run, {
    done: async () => {
      await running;
      await app.records?.settled();
    },
  });
}

/** The last events of rollouts that just ended (they are no longer followed). */
async function flushFinished(
  app: App,
  seen: Map<string, number>,
  followed: Set<string>,
  options: ControllerOptions,
): Promise<void> {
  for (const [id, last] of seen) {
    if (followed.has(id)) continue;
    for (const e of await app.store.listEvents(id, last)) options.onEvent?.(e);
    seen.delete(id);
  }
}

function hasNotifiers(app: App): boolean {
  return app.notifierRoutes.length > 0;
}
