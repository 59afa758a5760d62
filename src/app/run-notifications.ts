import type { App } from '../app.js';

export interface NotificationLoops {
  /**
   * Stop the loops, then deliver what is due now (reconciling incidents first) until
   * nothing is left or the time is up.
   */
  flush(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the notification keeper (incidents, escalations, reminders) and, when there are
 * notifiers, the outbox dispatcher, in the background until `stop` (or the signal).
 * `rollgate controller`, `release start --wait` and `rollgate demo` use it.
 */
export function startNotifications(
  app: App,
  signal?: AbortSignal,
  options: { keeperIntervalMs?: number } = {},
): NotificationLoops {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const loops: Promise<void>[] = [];
  if (app.keeper) loops.push(app.keeper.run(stop.signal, options.keeperIntervalMs));
  if (app.notifierRoutes.length > 0) loops.push(app.outbox.run(stop.signal));
  const halt = async () => {
    stop.abort();
    signal?.removeEventListener('abort', onAbort);
    await Promise.allSettled(loops);
  };
  return {
    async flush(timeoutMs) {
      // The loops stop first: two passes at once would deliver the same message twice.
      if (signal?.aborted) return;
      await halt();
      const end = Date.now() + timeoutMs;
      while (Date.now() < end && !signal?.aborted) {
        await app.keeper?.pass(signal).catch(() => undefined);
        if (app.notifierRoutes.length === 0) return;
        const r = await app.outbox.deliverDue(signal).catch(() => undefined);
        if (r && r.delivered + r.retried + r.dead + r.cancelled === 0) return;
        await new Promise((ok) => setTimeout(ok, 100));
      }
    },
    stop: halt,
  };
}
