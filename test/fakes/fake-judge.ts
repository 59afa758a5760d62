import type { Batch, Decision, Verdict } from '../../src/core/judge/judge-types.js';
import type { Judge, JudgeSession, JudgeStage } from '../../src/ports/judge.js';

export interface Observation {
  stage: JudgeStage;
  session: number;
  batch: Batch | undefined;
  nowSeconds: number;
}

export type Rule = (o: Observation, history: Observation[]) => Decision | undefined;

export function verdict(decision: Decision, reason = `fake judge: ${decision}`): Verdict {
  return {
    decision,
    reason,
    ...(decision === 'rollback' || decision === 'halt' ? { decidedBy: 'fake-gate' } : {}),
    findings: [],
    exposure: { baselineRequests: 0, canaryRequests: 0, seconds: 0 },
    rates: { baseline: { errorRate: 0 }, canary: { errorRate: 0 } },
    pValue: 1,
  };
}

/**
 * A judge with scripted verdicts. Default rule: no data → inconclusive; promote once the
 * stage's minimum hold has passed; otherwise continue. `script` verdicts (by weight or in
 * order) override it. Records every observation, per session.
 */
export class FakeJudge implements Judge {
  readonly observations: Observation[] = [];
  readonly stages: JudgeStage[] = [];
  private readonly queue: Decision[] = [];
  rule: Rule | undefined;

  /** Decisions returned to the next observations, in order (before the rule). */
  script(...decisions: Decision[]): void {
    this.queue.push(...decisions);
  }

  startStage(stage: JudgeStage): JudgeSession {
    this.stages.push(stage);
    const session = this.stages.length;
    const history: Observation[] = [];
    return {
      observe: (batch, nowSeconds) => {
        const o = { stage, session, batch, nowSeconds };
        history.push(o);
        this.observations.push(o);
        const scripted = this.queue.shift();
        if (scripted) return verdict(scripted);
        const ruled = this.rule?.(o, history);
        if (ruled) return verdict(ruled);
        if (batch === undefined) return verdict('inconclusive', 'no data');
        if (nowSeconds >= stage.minHoldSeconds) return verdict('promote', 'canary is no worse');
        return verdict('continue', 'collecting data');
      },
    };
  }
}
