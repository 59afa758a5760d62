import type { Router, RouteTarget } from '../../src/ports/router.js';

/** A router in memory: remembers weights, records calls, can be told to fail N times. */
export class FakeRouter implements Router {
  readonly name = 'fake-router';
  readonly weights = new Map<string, number>();
  readonly calls: { op: 'setWeight' | 'getWeight'; weight?: number; ok: boolean }[] = [];
  private failures = 0;
  private failAlways = false;

  /** The next `n` calls fail (or every call, with Infinity). */
  failNext(n: number): void {
    if (n === Number.POSITIVE_INFINITY) this.failAlways = true;
    else this.failures = n;
  }

  heal(): void {
    this.failAlways = false;
    this.failures = 0;
  }

  private fail(): boolean {
    if (this.failAlways) return true;
    if (this.failures > 0) {
      this.failures -= 1;
      return true;
    }
    return false;
  }

  weightOf(target: RouteTarget): number | undefined {
    return this.weights.get(`${target.service}/${target.environment}`);
  }

  private gate: Promise<void> | undefined;

  /** Hold every setWeight until the returned function is called (a slow router). */
  block(): () => void {
    let release = () => {};
    this.gate = new Promise<void>((r) => {
      release = () => {
        this.gate = undefined;
        r();
      };
    });
    return release;
  }

  async setWeight(target: RouteTarget, weight: number): Promise<void> {
    if (this.gate) await this.gate;
    if (this.fail()) {
      this.calls.push({ op: 'setWeight', weight, ok: false });
      throw new Error('router unreachable: connection refused (fake)');
    }
    this.calls.push({ op: 'setWeight', weight, ok: true });
    this.weights.set(`${target.service}/${target.environment}`, weight);
  }

  async getWeight(target: RouteTarget): Promise<number> {
    this.calls.push({ op: 'getWeight', ok: true });
    return this.weightOf(target) ?? 0;
  }
}
