import type { MetricRead, MetricSource, MetricWindow } from '../ports/metric-source.js';
import type { RouteTarget } from '../ports/router.js';

/**
 * A MetricSource whose windows are on a compressed clock (`rollgate demo --speed N`) over
 * one that measures in wall time (the built-in router's per-second ring): each window is
 * mapped back to wall time and cut to the whole seconds that have ended, so consecutive
 * batches never count a second twice nor read a second still being filled (ADR 0090).
 */
export class WallTimeMetricSource implements MetricSource {
  readonly name: string;

  constructor(
    private readonly inner: MetricSource,
    /** Wall-clock time at which the engine's clock reads `clockMs`. */
    private readonly wallTime: (clockMs: number) => number,
  ) {
    this.name = inner.name;
  }

  read(target: RouteTarget, window: MetricWindow, signal?: AbortSignal): Promise<MetricRead> {
    const from = Math.floor(this.wallTime(window.from) / 1000) * 1000;
    const to = Math.floor(this.wallTime(window.to) / 1000) * 1000;
    if (to <= from) {
      return Promise.resolve({
        ok: false,
        reason: 'no whole second of measurements since the last batch yet',
        retryable: true,
      });
    }
    return this.inner.read(target, { from, to }, signal);
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}
