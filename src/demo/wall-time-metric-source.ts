import { abortableTimeout as sleep } from '../adapters/clock/system-clock.js';
import type { MetricRead, MetricSource, MetricWindow } from '../ports/metric-source.js';
import type { Router, RouteTarget } from '../ports/router.js';

/**
 * Where the demo's clock meets the router's wall-time measurements (ADR 0090). The
 * engine's windows are on a compressed clock (`--speed N`); the built-in router counts in
 * per-second slots of wall time. `WallTimeMetricSource` maps each window back to wall time
 * and reads only whole seconds that have ended and that ran entirely at one weight
 * (`WeightChanges`, fed by `WeightTrackingRouter`), so no second is counted twice, none is
 * read while still filling, and the first batch of a step is not a mix of two weights.
 */
export class WeightChanges {
  private lastWall = Number.NEGATIVE_INFINITY;

  note(wallMs: number): void {
    this.lastWall = Math.max(this.lastWall, wallMs);
  }

  /** The first whole second that began after the last weight change. */
  firstCleanSecond(): number {
    return Math.ceil(this.lastWall / 1000) * 1000;
  }
}

/** A Router that notes when each weight change took effect. */
export class WeightTrackingRouter implements Router {
  readonly name: string;

  constructor(
    private readonly inner: Router,
    private readonly changes: WeightChanges,
  ) {
    this.name = inner.name;
  }

  async setWeight(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void> {
    this.changes.note(Date.now());
    await this.inner.setWeight(target, weight, signal);
    this.changes.note(Date.now());
  }

  getWeight(target: RouteTarget, signal?: AbortSignal): Promise<number> {
    return this.inner.getWeight(target, signal);
  }

  overrideHeader(): { name: string; value: string } {
    return this.inner.overrideHeader?.() ?? { name: 'x-rollgate-version', value: 'canary' };
  }
}

export class WallTimeMetricSource implements MetricSource {
  readonly name: string;

  constructor(
    private readonly inner: MetricSource,
    /** Wall-clock time at which the engine's clock reads `clockMs`. */
    private readonly wallTime: (clockMs: number) => number,
    private readonly changes: WeightChanges,
    /** Margin after a second ends before it is read (requests finishing late in it). */
    private readonly settleMs = 50,
  ) {
    this.name = inner.name;
  }

  async read(target: RouteTarget, window: MetricWindow, signal?: AbortSignal): Promise<MetricRead> {
    if (window.use === 'records') {
      // Every second of the window, weight changes included, up to now.
      const start = Math.floor(this.wallTime(window.from) / 1000) * 1000;
      const stop = Math.min(this.wallTime(window.to), Date.now());
      return this.inner.read(
        target,
        { from: start, to: Math.max(stop, start + 1), use: 'records' },
        signal,
      );
    }
    const from = Math.max(
      Math.floor(this.wallTime(window.from) / 1000) * 1000,
      this.changes.firstCleanSecond(),
    );
    const end = Math.min(this.wallTime(window.to), Date.now() - this.settleMs);
    let to = Math.floor(end / 1000) * 1000;
    if (to <= from) {
      // Not one whole second since the window began: wait for it to end, then read it.
      const wait = from + 1000 + this.settleMs - Date.now();
      await sleep(Math.max(0, wait), signal);
      to = from + 1000;
    }
    return this.inner.read(target, { from, to }, signal);
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}
