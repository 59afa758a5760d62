import { applyCommand, type RolloutCommand } from '../../src/core/rollout/rollout-commands.js';
import {
  applyEngineInput,
  createRollout,
  type EngineInput,
} from '../../src/core/rollout/rollout-machine.js';
import type { Transition } from '../../src/core/rollout/rollout-transition.js';
import type { CommandName, RolloutSnapshot } from '../../src/core/rollout/rollout-types.js';
import { MemoryStore } from './memory-store.js';
import { minorPlan, release } from './plans.js';

/** Drives the pure machine against a MemoryStore, one commit per transition. */
export class MachineHarness {
  readonly store = new MemoryStore();
  snapshot!: RolloutSnapshot;
  private t = Date.parse('2026-03-02T09:00:00.000Z');
  last!: Transition;

  static async create(plan = minorPlan(), id = 'ro-1'): Promise<MachineHarness> {
    const h = new MachineHarness();
    const tr = createRollout(id, release('minor'), plan, '@alice', { at: h.at() });
    await h.store.createRollout(tr.next, tr.events, tr.outbox);
    h.snapshot = tr.next;
    h.last = tr;
    return h;
  }

  at(): string {
    return new Date(this.t).toISOString();
  }

  tick(seconds: number): void {
    this.t += seconds * 1000;
  }

  private async commit(tr: Transition): Promise<RolloutSnapshot> {
    await this.store.commit({
      rolloutId: this.snapshot.id,
      expected: { state: this.snapshot.state, epoch: this.snapshot.epoch },
      next: tr.next,
      events: tr.events,
      outbox: tr.outbox,
    });
    this.last = tr;
    this.snapshot = tr.next;
    return tr.next;
  }

  async input(input: EngineInput): Promise<RolloutSnapshot> {
    return this.commit(applyEngineInput(this.snapshot, input, { at: this.at() }));
  }

  async command(name: CommandName | RolloutCommand, actor = '@bob'): Promise<RolloutSnapshot> {
    const c =
      typeof name === 'string'
        ? { name, ...(name === 'observe' ? { text: 'looks fine' } : {}) }
        : name;
    return this.commit(applyCommand(this.snapshot, c, actor, { at: this.at() }));
  }

  /** Promote as a person would, playing the engine when a traffic step must start first. */
  async promote(actor = '@bob'): Promise<RolloutSnapshot> {
    await this.command('promote', actor);
    const s = this.snapshot;
    const step = s.plan.steps[s.stepIndex];
    if (step?.kind === 'traffic' && s.steps[s.stepIndex]?.detail?.promoteOnStart) {
      await this.input({ type: 'step_started', weight: step.weight });
    }
    return this.snapshot;
  }

  async stored(): Promise<RolloutSnapshot> {
    return (await this.store.getRollout(this.snapshot.id))!;
  }

  async events() {
    return this.store.listEvents(this.snapshot.id);
  }
}
