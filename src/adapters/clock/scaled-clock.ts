import type { Clock } from '../../ports/clock.js';

/**
 * Time running `speed` times faster than the wall clock, from the moment it is made
 * (`rollgate demo --speed 60`: a 10-minute hold passes in 10 seconds). `now()` starts at
 * the real time and moves `speed` ms per real ms; `sleep(ms)` waits ms / speed.
 * (Self-contained: adapters do not import each other, not even SystemClock.)
 */
export class ScaledClock implements Clock {
  private readonly origin: number;

  constructor(
    readonly speed: number,
    private readonly wall: () => number = Date.now,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new RangeError(`clock speed must be a positive number, got ${speed}`);
    }
    this.origin = wall();
  }

  now(): number {
    return Math.round(this.origin + (this.wall() - this.origin) * this.speed);
  }

  /** The wall-clock time at which this clock reads `clockMs` (to read wall-time data). */
  wallTime(clockMs: number): number {
    return this.origin + (clockMs - this.origin) / this.speed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms / this.speed),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
