/**
 * The rollout engine: starts rollouts, takes people's commands, and drives every rollout
 * in flight on the injected clock. All state lives in the store; a fresh engine on the
 * same store resumes every rollout where the last one stopped (ADR 0031).
 */
import { randomUUID } from 'node:crypto';
import { coerceError, RollgateError } from '../core/errors/rollgate-error.js';
import type { ResolvedPlan } from '../core/plan/plan-types.js';
import { applyCommand, type RolloutCommand } from '../core/rollout/rollout-commands.js';
import {
  applyEngineInput,
  createRollout,
  type EngineInput,
} from '../core/rollout/rollout-machine.js';
import type { Transition } from '../core/rollout/rollout-transition.js';
import type {
  CommandName,
  Release,
  RolloutSnapshot,
  RolloutState,
} from '../core/rollout/rollout-types.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from './engine-options.js';
import type { EnginePorts } from './engine-ports.js';
import { KeyedMutex } from './keyed-mutex.js';
import { RolloutDriver } from './rollout-driver.js';

/** States the engine has work to do in (paused rollouts wait for a person). */
const ACTIVE: readonly RolloutState[] = ['pending', 'running', 'rolling_back'];

interface Worker {
  controller: AbortController;
  kicked: boolean;
  done: Promise<void>;
}

export interface StartRollout {
  release: Release;
  plan: ResolvedPlan;
  /** Who started it: `@name`, or `rollgate` for automation. */
  actor: string;
}

const defaultId = () => `ro-${randomUUID()}`;

export class Engine {
  private readonly options: EngineOptions;
  private readonly mutex = new KeyedMutex();
  private readonly workers = new Map<string, Worker>();
  private readonly driver: RolloutDriver;
  /** Rollouts whose router weight this engine has already put in force. */
  private readonly applied = new Set<string>();
  private readonly fences = new Map<string, { owner: string; token: number }>();
  /** The epoch each worker last read or wrote: a different one in the store means news. */
  private readonly seen = new Map<string, number>();
  private stopped = false;
  private loop: AbortController | undefined;

  constructor(
    private readonly ports: EnginePorts,
    options: Partial<EngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.driver = new RolloutDriver(ports, this.options, (s, input, signal) =>
      this.commitInput(s, input, signal),
    );
  }

  private at(): string {
    return new Date(this.ports.clock.now()).toISOString();
  }

  /** Create the release (if new) and a pending rollout of it; the engine starts it at once. */
  async start(request: StartRollout): Promise<RolloutSnapshot> {
    const { release, plan, actor } = request;
    if (plan.service !== release.service) {
      throw new RollgateError(
        'invalid_input',
        `the plan is for ${plan.service}, the release for ${release.service}`,
      );
    }
    if ((await this.ports.store.getRelease(release.id)) === undefined) {
      await this.ports.store.createRelease(release);
    }
    const id = (this.options.newId ?? defaultId)();
    const t = createRollout(id, release, plan, actor, {
      at: this.at(),
      routes: this.options.routes,
    });
    await this.ports.store.createRollout(t.next, t.events, t.outbox);
    this.applied.add(id);
    this.kick(id);
    return t.next;
  }

  async get(rolloutId: string): Promise<RolloutSnapshot> {
    const s = await this.ports.store.getRollout(rolloutId);
    if (s === undefined) {
      throw new RollgateError('not_found', `rollout ${rolloutId} not found`, {
        hint: 'list rollouts with `rollgate status`',
      });
    }
    return s;
  }

  /**
   * A person's command. Serialised per rollout in this process; a write by another
   * process in between is re-read and the command re-validated, and after
   * `commandConflictRetries` the caller gets RollgateError('conflict').
   */
  async command(
    rolloutId: string,
    command: RolloutCommand | CommandName,
    actor: string,
  ): Promise<RolloutSnapshot> {
    const c: RolloutCommand = typeof command === 'string' ? { name: command } : command;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const next = await this.mutex.run(rolloutId, async () => {
          const s = await this.get(rolloutId);
          const t = applyCommand(s, c, actor, { at: this.at(), routes: this.options.routes });
          await this.write(s, t);
          return t.next;
        });
        if (c.name !== 'observe') this.kick(rolloutId);
        return next;
      } catch (err) {
        const e = coerceError(err);
        if (e.code !== 'conflict') throw e;
        if (attempt < this.options.commandConflictRetries) continue;
        throw new RollgateError(
          'conflict',
          `${c.name} by ${actor} was not applied: rollout ${rolloutId} was changed by someone else at the same moment`,
          {
            cause: err,
            hint: 'look at the rollout (`rollgate status`) and send the command again if it still applies',
            details: { rolloutId, command: c.name },
          },
        );
      }
    }
  }

  private async write(s: RolloutSnapshot, t: Transition, fenced = false): Promise<void> {
    const fence = fenced ? this.fences.get(s.id) : undefined;
    await this.ports.store.commit({
      rolloutId: s.id,
      expected: { state: s.state, epoch: s.epoch },
      next: t.next,
      events: t.events,
      outbox: this.options.routeOutbox?.(t.outbox) ?? t.outbox,
      ...(fence ? { fence } : {}),
    });
    try {
      this.options.onCommitted?.(t.next);
    } catch (err) {
      this.report(err, s.id);
    }
  }

  private commitInput(
    s: RolloutSnapshot,
    input: EngineInput,
    signal: AbortSignal,
  ): Promise<RolloutSnapshot> {
    signal.throwIfAborted();
    return this.mutex.run(s.id, async () => {
      signal.throwIfAborted();
      const t = applyEngineInput(s, input, { at: this.at(), routes: this.options.routes });
      await this.write(s, t, true);
      this.seen.set(s.id, t.next.epoch);
      return t.next;
    });
  }

  /** Make sure a worker drives this rollout now (interrupting any wait it is in). */
  kick(rolloutId: string): void {
    if (this.stopped) return;
    const w = this.workers.get(rolloutId);
    if (w) {
      w.kicked = true;
      w.controller.abort(new RollgateError('internal', 'kicked'));
      return;
    }
    const worker: Worker = {
      controller: new AbortController(),
      kicked: false,
      done: Promise.resolve(),
    };
    this.workers.set(rolloutId, worker);
    worker.done = this.drive(rolloutId, worker).finally(() => {
      if (this.workers.get(rolloutId) === worker) this.workers.delete(rolloutId);
    });
  }

  private report(error: unknown, rolloutId?: string): void {
    this.options.onError?.(coerceError(error), rolloutId);
  }

  private async drive(id: string, w: Worker): Promise<void> {
    let errors = 0;
    let conflicts = 0;
    while (!this.stopped) {
      if (w.controller.signal.aborted) w.controller = new AbortController();
      w.kicked = false;
      const signal = w.controller.signal;
      try {
        const s = await this.get(id);
        this.seen.set(id, s.epoch);
        if (this.driver.takeUnrecordedWeight(id)) this.applied.delete(id);
        const reapply = (s.state === 'running' || s.state === 'paused') && !this.applied.has(id);
        if (!ACTIVE.includes(s.state) && !reapply) {
          if (w.kicked) continue;
          this.driver.forget(id);
          return;
        }
        if (!(await this.holdLease(s))) return;
        if (reapply) {
          await this.driver.reapplyWeight(s, signal);
          this.applied.add(id);
          continue;
        }
        this.applied.add(id);
        await this.driver.unit(s, signal);
        errors = 0;
        conflicts = 0;
      } catch (err) {
        if (this.stopped) return;
        if (signal.aborted) continue;
        const e = coerceError(err);
        if (e.code === 'conflict') {
          // someone else moved first: re-read; if that keeps happening, do not spin
          conflicts += 1;
          if (conflicts > 3) await this.pause(w, this.options.errorBackoffMs);
          continue;
        }
        errors += 1;
        await this.recordError(id, e, errors);
        await this.pause(w, this.options.errorBackoffMs);
      }
    }
  }

  /** Wait before trying again; a kick or a stop ends the wait early. */
  private async pause(w: Worker, ms: number): Promise<void> {
    try {
      await this.ports.clock.sleep(ms, w.controller.signal);
    } catch {
      // kicked or stopped: the loop decides
    }
  }

  /** One bad rollout never stops the others: the error goes on its timeline. */
  private async recordError(id: string, error: RollgateError, count: number): Promise<void> {
    this.report(error, id);
    try {
      const s = await this.get(id);
      const input: EngineInput =
        count >= this.options.maxConsecutiveErrors && s.state === 'running'
          ? { type: 'pause', reason: `engine error ${count} times in a row: ${error.message}` }
          : { type: 'error', error: error.message };
      await this.mutex.run(id, () =>
        this.write(s, applyEngineInput(s, input, { at: this.at(), routes: this.options.routes })),
      );
    } catch (err) {
      this.report(err, id);
    }
  }

  private async holdLease(s: RolloutSnapshot): Promise<boolean> {
    const lease = this.options.lease;
    if (!lease) return true;
    const now = this.ports.clock.now();
    const held = await this.ports.store.acquireLease(
      s.id,
      lease.owner,
      new Date(now).toISOString(),
      new Date(now + lease.ttlMs).toISOString(),
    );
    if (!held) {
      this.fences.delete(s.id);
      return false;
    }
    this.fences.set(s.id, { owner: held.owner, token: held.token });
    return true;
  }

  /** Look for rollouts to drive (those a previous controller left, or another process made). */
  /**
   * Look for rollouts to drive (those a previous controller left, or another process
   * made), and wake the workers whose rollout another process changed (a command written
   * straight to the store): they notice within one scan, not at their next batch.
   */
  async scan(): Promise<void> {
    const rollouts = await this.ports.store.listRollouts({ states: ACTIVE });
    const active = new Set<string>();
    for (const r of rollouts) {
      active.add(r.id);
      if (!this.workers.has(r.id) || this.seen.get(r.id) !== r.epoch) this.kick(r.id);
    }
    for (const id of this.workers.keys()) if (!active.has(id)) this.kick(id);
  }

  /** The background loop: scan every `scanIntervalMs` until `stop()` or the signal. */
  async run(signal?: AbortSignal): Promise<void> {
    this.loop = new AbortController();
    const stop = this.loop.signal;
    signal?.addEventListener('abort', () => this.loop?.abort(), { once: true });
    while (!this.stopped && !stop.aborted) {
      try {
        await this.scan();
      } catch (err) {
        this.report(err);
      }
      try {
        await this.ports.clock.sleep(this.options.scanIntervalMs, stop);
      } catch {
        break;
      }
    }
  }

  /**
   * Stop at once: every worker is interrupted wherever it is and writes nothing more.
   * (A crash looks the same to the store; the next engine resumes from the snapshots.)
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.loop?.abort();
    const pending = [...this.workers.values()];
    for (const w of pending) w.controller.abort(new RollgateError('internal', 'engine stopped'));
    await Promise.all(pending.map((w) => w.done));
    if (this.options.lease) {
      for (const id of this.fences.keys()) {
        await this.ports.store.releaseLease(id, this.options.lease.owner).catch(() => undefined);
      }
    }
  }

  /** Rollouts this engine is driving right now. */
  activeRollouts(): string[] {
    return [...this.workers.keys()];
  }
}
