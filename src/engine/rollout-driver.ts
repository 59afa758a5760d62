/**
 * One unit of work on one rollout: look at its snapshot, call the ports the current step
 * needs, and commit what happened as an engine input. The engine loops units per rollout.
 */
import { coerceError, RollgateError } from '../core/errors/rollgate-error.js';
import type { Batch } from '../core/judge/judge-types.js';
import type { TrafficStep, WatchStep } from '../core/plan/plan-types.js';
import type { CheckOutcome, EngineInput } from '../core/rollout/rollout-machine.js';
import type { RolloutSnapshot } from '../core/rollout/rollout-types.js';
import type { DeployRequest } from '../ports/deployer.js';
import type { RouteTarget } from '../ports/router.js';
import { backoffMs, type EngineOptions } from './engine-options.js';
import type { EnginePorts, ServicePorts } from './engine-ports.js';
import { JudgeSessions } from './judge-sessions.js';

/** Commits one engine input against `snapshot` and returns the new snapshot. */
export type Commit = (
  snapshot: RolloutSnapshot,
  input: EngineInput,
  signal: AbortSignal,
) => Promise<RolloutSnapshot>;

type CallResult<T> =
  | { ok: true; value: T; snapshot: RolloutSnapshot }
  | { ok: false; error: string; snapshot: RolloutSnapshot };

const iso = (ms: number) => new Date(ms).toISOString();
const target = (s: RolloutSnapshot): RouteTarget => ({
  service: s.service,
  environment: s.environment,
});

export class RolloutDriver {
  private readonly sessions: JudgeSessions;

  constructor(
    private readonly ports: EnginePorts,
    private readonly options: EngineOptions,
    private readonly commit: Commit,
  ) {
    this.sessions = new JudgeSessions(ports.judge, ports.store);
  }

  /** Rollouts whose router got a weight that no committed event records (yet). */
  private readonly unrecorded = new Set<string>();

  private of(s: RolloutSnapshot): ServicePorts {
    const own = this.ports.portsFor?.(target(s)) ?? {};
    return {
      router: own.router ?? this.ports.router,
      deployer: own.deployer ?? this.ports.deployer,
      metrics: own.metrics ?? this.ports.metrics,
      checks: own.checks ?? this.ports.checks,
    };
  }

  forget(rolloutId: string): void {
    this.sessions.forget(rolloutId);
  }

  /**
   * True once for a rollout whose router was changed by a call whose outcome could not
   * be committed (a command moved first): the engine then puts the store's weight back.
   */
  takeUnrecordedWeight(rolloutId: string): boolean {
    return this.unrecorded.delete(rolloutId);
  }

  private setWeight(s: RolloutSnapshot, weight: number, signal: AbortSignal) {
    return this.call(s, 'router', 'setWeight', signal, async (sig) => {
      await this.of(s).router.setWeight(target(s), weight, sig);
      if (weight !== s.weight) this.unrecorded.add(s.id);
    });
  }

  private async commitWeight(
    s: RolloutSnapshot,
    input: EngineInput,
    signal: AbortSignal,
  ): Promise<RolloutSnapshot> {
    const next = await this.commit(s, input, signal);
    this.unrecorded.delete(s.id);
    return next;
  }

  /** Put the weight the store says back on the router (a controller taking over). */
  async reapplyWeight(s: RolloutSnapshot, signal: AbortSignal): Promise<RolloutSnapshot> {
    const r = await this.setWeight(s, s.weight, signal);
    if (!r.ok) {
      return s.state === 'running'
        ? this.commit(r.snapshot, { type: 'pause', reason: r.error }, signal)
        : r.snapshot;
    }
    return this.commitWeight(
      r.snapshot,
      { type: 'weight_applied', weight: s.weight, reason: 'resume' },
      signal,
    );
  }

  /** Do the next thing the rollout needs; returns when something was committed or waited. */
  async unit(s: RolloutSnapshot, signal: AbortSignal): Promise<void> {
    if (s.state === 'pending') {
      await this.commit(s, { type: 'start' }, signal);
      return;
    }
    if (s.state === 'rolling_back') {
      await this.rollback(s, signal);
      return;
    }
    if (s.state !== 'running') return;
    const step = s.plan.steps[s.stepIndex];
    const status = s.steps[s.stepIndex];
    if (step === undefined || status === undefined) {
      throw new RollgateError('internal', `rollout ${s.id} is running past its last step`);
    }
    if (status.state === 'pending') {
      await this.startStep(s, signal);
      return;
    }
    switch (step.kind) {
      case 'traffic':
        if (step.analysis) await this.trafficBatch(s, step, signal);
        else await this.hold(s, step.minHoldSeconds, signal);
        return;
      case 'watch':
        await this.watchBatch(s, step, signal);
        return;
      case 'deploy':
        await this.deploy(s, step.target, signal);
        return;
      case 'checks':
        await this.runChecks(s, step.checks, step.phase, signal);
        return;
      case 'approval':
        // An approval waits in `paused` for a person; running here means it must go back.
        await this.commit(
          s,
          { type: 'pause', reason: `awaiting approval for '${step.name}'` },
          signal,
        );
        return;
    }
  }

  private async startStep(s: RolloutSnapshot, signal: AbortSignal): Promise<void> {
    const step = s.plan.steps[s.stepIndex];
    if (step?.kind !== 'traffic') {
      await this.commit(s, { type: 'step_started' }, signal);
      return;
    }
    const r = await this.setWeight(s, step.weight, signal);
    if (r.ok)
      await this.commitWeight(r.snapshot, { type: 'step_started', weight: step.weight }, signal);
    else await this.commit(r.snapshot, { type: 'pause', reason: r.error }, signal);
  }

  private stepStart(s: RolloutSnapshot): number {
    const at = s.steps[s.stepIndex]?.startedAt;
    return at === undefined ? this.ports.clock.now() : Date.parse(at);
  }

  private async sleepUntil(at: number, signal: AbortSignal): Promise<void> {
    const wait = at - this.ports.clock.now();
    if (wait > 0) await this.ports.clock.sleep(wait, signal);
  }

  private async hold(s: RolloutSnapshot, seconds: number, signal: AbortSignal): Promise<void> {
    await this.sleepUntil(this.stepStart(s) + seconds * 1000, signal);
    await this.commit(s, { type: 'hold_elapsed' }, signal);
  }

  /** The next batch is due one interval after the last one (or the step's start). */
  private window(s: RolloutSnapshot): { from: number; due: number } {
    const last = s.steps[s.stepIndex]?.detail?.lastBatchAt;
    const from = typeof last === 'string' ? Date.parse(last) : this.stepStart(s);
    return { from, due: from + this.options.batchIntervalMs };
  }

  private async read(
    s: RolloutSnapshot,
    from: number,
    to: number,
    signal: AbortSignal,
    startsAtChange = false,
  ): Promise<{ batch?: Omit<Batch, 't' | 'weight'>; noDataReason?: string }> {
    try {
      const r = await this.of(s).metrics.read(
        target(s),
        { from, to, ...(startsAtChange ? { startsAtChange } : {}) },
        signal,
      );
      if (!r.ok) return { noDataReason: r.reason };
      const stale = s.plan.judge.staleAfterSeconds;
      if (r.staleSeconds !== undefined && r.staleSeconds > stale) {
        return { noDataReason: `data is ${r.staleSeconds} s old (stale after ${stale} s)` };
      }
      return { batch: r.batch };
    } catch (err) {
      if (signal.aborted) throw err;
      return { noDataReason: coerceError(err, 'provider_error').message };
    }
  }

  private async trafficBatch(s: RolloutSnapshot, step: TrafficStep, signal: AbortSignal) {
    const { from, due } = this.window(s);
    await this.sleepUntil(due, signal);
    const session = await this.sessions.get(s, step);
    // The step's first batch starts when its weight was set: nothing before it may count.
    const first = s.steps[s.stepIndex]?.detail?.lastBatchAt === undefined;
    const to = this.ports.clock.now();
    const read = await this.read(s, from, to, signal, first);
    const now = this.ports.clock.now();
    const t = (now - this.stepStart(s)) / 1000;
    const batch: Batch | undefined = read.batch && { ...read.batch, t, weight: step.weight };
    signal.throwIfAborted();
    const verdict = session.observe(batch, t);
    this.sessions.forget(s.id);
    const next = await this.commit(
      s,
      {
        type: 'verdict',
        t,
        batch,
        verdict,
        windowFrom: iso(from),
        windowTo: iso(to),
        ...(read.noDataReason === undefined ? {} : { noDataReason: read.noDataReason }),
        source: this.of(s).metrics.name,
      },
      signal,
    );
    this.sessions.keep(s, next.epoch, session);
  }

  private async watchBatch(s: RolloutSnapshot, step: WatchStep, signal: AbortSignal) {
    const end = this.stepStart(s) + step.durationSeconds * 1000;
    const { from, due } = this.window(s);
    if (from >= end) {
      await this.commit(s, { type: 'hold_elapsed' }, signal);
      return;
    }
    await this.sleepUntil(Math.min(due, end), signal);
    const to = this.ports.clock.now();
    const read = await this.read(s, from, to, signal);
    const t = (this.ports.clock.now() - this.stepStart(s)) / 1000;
    await this.commit(
      s,
      {
        type: 'watch_sample',
        t,
        arm: read.batch?.canary,
        windowFrom: iso(from),
        windowTo: iso(to),
        ...(read.noDataReason === undefined ? {} : { noDataReason: read.noDataReason }),
        source: this.of(s).metrics.name,
      },
      signal,
    );
  }

  private request(s: RolloutSnapshot, targetPool: 'canary' | 'stable'): DeployRequest {
    return {
      ...target(s),
      rolloutId: s.id,
      version: s.version,
      previousVersion: s.previousVersion,
      target: targetPool,
    };
  }

  private async deploy(s: RolloutSnapshot, pool: 'canary' | 'stable', signal: AbortSignal) {
    const r = await this.call(s, 'deployer', 'deploy', signal, async (sig) => {
      const result = await this.of(s).deployer.deploy(this.request(s, pool), sig);
      if (!result.ok) throw new Error(result.message);
      return result;
    });
    if (!r.ok) {
      await this.commit(r.snapshot, { type: 'pause', reason: r.error }, signal);
      return;
    }
    await this.commit(
      r.snapshot,
      {
        type: 'deployed',
        target: pool,
        message: r.value.message,
        ...(r.value.output === undefined ? {} : { output: r.value.output }),
      },
      signal,
    );
  }

  private async runChecks(s: RolloutSnapshot, names: string[], phase: string, signal: AbortSignal) {
    const results: CheckOutcome[] = [];
    let snapshot = s;
    for (const name of names) {
      const check = this.of(s).checks?.[name];
      if (check === undefined) {
        await this.commit(
          snapshot,
          { type: 'pause', reason: `check '${name}' is not configured (policy checks section)` },
          signal,
        );
        return;
      }
      const r = await this.call(snapshot, 'check', `run ${name}`, signal, (sig) =>
        check.run({ ...target(s), rolloutId: s.id, version: s.version, phase }, sig),
      );
      snapshot = r.snapshot;
      if (!r.ok) {
        await this.commit(snapshot, { type: 'pause', reason: r.error }, signal);
        return;
      }
      const { ok, durationMs, message } = r.value;
      results.push({ name, ok, durationMs, message });
      if (!ok) break;
    }
    await this.commit(snapshot, { type: 'checks_done', results }, signal);
  }

  /** Weight 0 and the deployer's rollback, at once; no judge involved. */
  private async rollback(s: RolloutSnapshot, signal: AbortSignal): Promise<void> {
    const errors: string[] = [];
    const w = await this.setWeight(s, 0, signal);
    let snapshot = w.snapshot;
    if (w.ok) {
      snapshot = await this.commitWeight(
        snapshot,
        { type: 'weight_applied', weight: 0, reason: 'rollback' },
        signal,
      );
    } else {
      errors.push(w.error);
    }
    // The rollback puts the previous version back everywhere; `target` tells the deployer
    // whether the new version already reached the stable pool.
    const stable = s.plan.steps.some(
      (st, i) =>
        st.kind === 'deploy' && st.target === 'stable' && s.steps[i]?.state === 'succeeded',
    );
    const d = await this.call(snapshot, 'deployer', 'rollback', signal, async (sig) => {
      const result = await this.of(s).deployer.rollback(
        this.request(s, stable ? 'stable' : 'canary'),
        sig,
      );
      if (!result.ok) throw new Error(result.message);
      return result;
    });
    snapshot = d.snapshot;
    if (!d.ok) errors.push(d.error);
    if (!d.ok || errors.length > 0) {
      await this.commit(snapshot, { type: 'rollback_failed', error: errors.join('; ') }, signal);
      return;
    }
    await this.commit(
      snapshot,
      {
        type: 'rollback_done',
        message: d.value.message,
        ...(d.value.output === undefined ? {} : { output: d.value.output }),
      },
      signal,
    );
  }

  /** Call a port with retries and backoff; every failed attempt is an event. */
  private async call<T>(
    s: RolloutSnapshot,
    port: 'router' | 'deployer' | 'check',
    op: string,
    signal: AbortSignal,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<CallResult<T>> {
    const { attempts } = this.options.retry;
    let snapshot = s;
    let error = '';
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      try {
        return { ok: true, value: await fn(signal), snapshot };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        error = coerceError(err, 'provider_error').message;
        const retryInMs = attempt < attempts ? backoffMs(this.options.retry, attempt) : undefined;
        snapshot = await this.commit(
          snapshot,
          {
            type: 'call_failed',
            port,
            op,
            attempt,
            attempts,
            error,
            ...(retryInMs === undefined ? {} : { retryInMs }),
          },
          signal,
        );
        if (retryInMs !== undefined) await this.ports.clock.sleep(retryInMs, signal);
      }
    }
    return {
      ok: false,
      error: `${port} ${op} failed after ${attempts} attempts: ${error}`,
      snapshot,
    };
  }
}
