import type { Clock } from '../../src/ports/clock.js';

interface Timer {
  at: number;
  id: number;
  resolve: () => void;
}

/**
 * Virtual time for unit tests: `now()` moves only when the test advances it, and a
 * `sleep` resolves when time is advanced past its deadline (timers fire in deadline order,
 * with the clock set to each deadline as it fires).
 */
export class ManualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 0;

  constructor(start: number | string = '2026-03-02T09:00:00.000Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.current + Math.max(0, ms), id: this.nextId++, resolve };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Deadline of the earliest pending sleep, if any. */
  nextTimerAt(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  /** Move time to `at` (never backwards), firing every timer due on the way, in order. */
  advanceTo(at: number): void {
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= at)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.resolve();
    }
    this.current = Math.max(this.current, at);
  }

  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }
}

/** Let every settled promise run (the fakes resolve on microtasks, never on timers). */
export async function flush(turns = 1): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise<void>((r) => setImmediate(r));
}

/**
 * Drive virtual time: flush, test the condition, else jump to the next timer; until the
 * condition holds. Fails when nothing is pending or `limitMs` of virtual time passes.
 */
export async function runUntil(
  clock: ManualClock,
  condition: () => boolean | Promise<boolean>,
  limitMs = 7 * 24 * 3600_000,
): Promise<void> {
  const deadline = clock.now() + limitMs;
  for (;;) {
    await flush();
    if (await condition()) return;
    const next = clock.nextTimerAt();
    if (next === undefined) throw new Error('runUntil: stalled (no timer pending)');
    if (next > deadline) throw new Error(`runUntil: condition still false after ${limitMs} ms`);
    clock.advanceTo(next);
  }
}
