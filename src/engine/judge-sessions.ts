import type { Batch } from '../core/judge/judge-types.js';
import type { TrafficStep } from '../core/plan/plan-types.js';
import type { RolloutSnapshot } from '../core/rollout/rollout-types.js';
import type { Judge, JudgeSession } from '../ports/judge.js';
import type { Store } from '../ports/store.js';

interface Entry {
  /** Step index and start time: a restarted step gets a new session. */
  key: string;
  /** The snapshot epoch the session is in step with. */
  epoch: number;
  session: JudgeSession;
}

/**
 * The judge session of each rollout's current traffic step. Kept in memory between
 * batches; rebuilt by replaying the step's recorded batches (`judge.verdict` events)
 * whenever anything else wrote in between — a new controller, a command. The judge is
 * deterministic, so the replay is exact (ADR 0031).
 */
export class JudgeSessions {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly judge: Judge,
    private readonly store: Store,
  ) {}

  private key(s: RolloutSnapshot): string {
    return `${s.stepIndex}@${s.steps[s.stepIndex]?.startedAt ?? ''}`;
  }

  async get(s: RolloutSnapshot, step: TrafficStep): Promise<JudgeSession> {
    const key = this.key(s);
    const cached = this.entries.get(s.id);
    if (cached && cached.key === key && cached.epoch === s.epoch) return cached.session;
    const session = this.judge.startStage({
      weight: step.weight,
      minHoldSeconds: step.minHoldSeconds,
      maxHoldSeconds: step.maxHoldSeconds,
      minCanaryRequests: step.minCanaryRequests,
      onTimeout: step.onTimeout,
      startSeconds: 0, // batches carry t = seconds since the step started
      judge: s.plan.judge,
    });
    const events = await this.store.listEvents(s.id);
    let from = 0;
    events.forEach((e, idx) => {
      if (e.type === 'step.started' && e.data.step === s.stepIndex) from = idx;
    });
    for (const e of events.slice(from)) {
      if (e.type !== 'judge.verdict' || e.data.step !== s.stepIndex) continue;
      session.observe((e.data.batch ?? undefined) as Batch | undefined, Number(e.data.t));
    }
    this.entries.set(s.id, { key, epoch: s.epoch, session });
    return session;
  }

  /** The session saw one more batch and its verdict was committed at `epoch`. */
  keep(s: RolloutSnapshot, epoch: number, session: JudgeSession): void {
    this.entries.set(s.id, { key: this.key(s), epoch, session });
  }

  forget(rolloutId: string): void {
    this.entries.delete(rolloutId);
  }
}
