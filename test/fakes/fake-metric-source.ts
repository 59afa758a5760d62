import type { ArmBatch } from '../../src/core/judge/judge-types.js';
import type { MetricRead, MetricSource, MetricWindow } from '../../src/ports/metric-source.js';
import type { RouteTarget } from '../../src/ports/router.js';

export type Generator = (window: MetricWindow, call: number) => MetricRead;

export function healthyArm(requests = 1000, errors = 1): ArmBatch {
  return {
    requests,
    errors,
    latency: {
      '0.1': Math.round(requests * 0.6),
      '0.5': Math.round(requests * 0.99),
      '+Inf': requests,
    },
    gauges: { memory: 0.5 },
  };
}

/** Scripted reads (then the generator), and an outage switch: `down()` / `up()`. */
export class FakeMetricSource implements MetricSource {
  readonly name = 'fake-metrics';
  readonly windows: MetricWindow[] = [];
  private readonly script: MetricRead[] = [];
  private outage: string | undefined;

  constructor(
    private generator: Generator = () => ({
      ok: true,
      batch: { baseline: healthyArm(), canary: healthyArm(100, 0) },
    }),
  ) {}

  push(...reads: MetricRead[]): void {
    this.script.push(...reads);
  }

  setGenerator(generator: Generator): void {
    this.generator = generator;
  }

  down(reason = 'prometheus: connection refused (fake)'): void {
    this.outage = reason;
  }

  up(): void {
    this.outage = undefined;
  }

  async read(_target: RouteTarget, window: MetricWindow): Promise<MetricRead> {
    this.windows.push(window);
    if (this.outage !== undefined) return { ok: false, reason: this.outage, retryable: true };
    return this.script.shift() ?? this.generator(window, this.windows.length);
  }
}
