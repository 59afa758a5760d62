import type { ResolvedPlan } from '../../src/core/plan/plan-types.js';
import type {
  Release,
  RolloutSnapshot,
  RolloutState,
} from '../../src/core/rollout/rollout-types.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineOptions } from '../../src/engine/engine-options.js';
import { FakeCheck } from './fake-check.js';
import { FakeDeployer } from './fake-deployer.js';
import { FakeJudge } from './fake-judge.js';
import { FakeMetricSource } from './fake-metric-source.js';
import { FakeRouter } from './fake-router.js';
import { ManualClock, runUntil } from './manual-clock.js';
import { MemoryStore } from './memory-store.js';

export const SETTLED: readonly RolloutState[] = ['paused', 'completed', 'rolled_back', 'failed'];

/** An engine wired to fakes only, on virtual time. */
export class EngineHarness {
  readonly clock: ManualClock;
  readonly store: MemoryStore;
  readonly router: FakeRouter;
  readonly deployer = new FakeDeployer();
  readonly metrics = new FakeMetricSource();
  judge = new FakeJudge();
  readonly checks = { health: new FakeCheck('health'), 'login-flow': new FakeCheck('login-flow') };
  readonly errors: Error[] = [];
  engine: Engine;
  private ids = 0;

  constructor(
    private readonly options: Partial<EngineOptions> = {},
    shared?: { clock: ManualClock; store: MemoryStore; router: FakeRouter },
  ) {
    this.clock = shared?.clock ?? new ManualClock();
    this.store = shared?.store ?? new MemoryStore();
    this.router = shared?.router ?? new FakeRouter();
    this.engine = this.build();
  }

  build(): Engine {
    return new Engine(
      {
        store: this.store,
        clock: this.clock,
        router: this.router,
        deployer: this.deployer,
        metrics: this.metrics,
        judge: this.judge,
        checks: this.checks,
      },
      {
        newId: () => `ro-${++this.ids}`,
        onError: (e) => this.errors.push(e),
        ...this.options,
      },
    );
  }

  /** A second controller on the same store, clock and router (another process). */
  sibling(options: Partial<EngineOptions> = {}): EngineHarness {
    return new EngineHarness(
      { ...this.options, ...options },
      { clock: this.clock, store: this.store, router: this.router },
    );
  }

  start(release: Release, plan: ResolvedPlan): Promise<RolloutSnapshot> {
    return this.engine.start({ release, plan, actor: '@alice' });
  }

  async state(id: string): Promise<RolloutSnapshot> {
    return (await this.store.getRollout(id))!;
  }

  /** Run virtual time until the rollout is in one of `states`. */
  async until(
    id: string,
    states: readonly RolloutState[] = SETTLED,
    limitMs?: number,
  ): Promise<RolloutSnapshot> {
    await runUntil(this.clock, () => states.includes(this.store.peek(id)!.state), limitMs);
    return this.state(id);
  }

  /** Run to the end, approving every approval step as @rm. */
  async complete(id: string): Promise<RolloutSnapshot> {
    for (;;) {
      const s = await this.until(id);
      if (s.state === 'paused' && s.pauseReason?.startsWith('awaiting approval')) {
        await this.engine.command(id, 'resume', '@rm');
        continue;
      }
      return s;
    }
  }

  events(id: string) {
    return this.store.timeline(id);
  }

  types(id: string): string[] {
    return this.events(id).map((e) => e.type);
  }
}
