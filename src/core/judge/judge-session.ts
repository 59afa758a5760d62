import type { JudgePolicy } from '../plan/plan-types.js';
import type { CountStream, GateLevel, StreamGate } from './count-stream.js';
import type { HardGateState, HardGates } from './hard-gates.js';
import type { Batch, Decision, Finding, StageSpec, Verdict } from './judge-types.js';
import { SrmGuard } from './srm-guard.js';

/** Largest e-value written into a finding (keeps verdicts JSON-serialisable). */
const MAX_REPORTED_E = 1e15;

export interface SessionPlan {
  streams: CountStream[];
  hardGates: HardGates;
  /** Statistical gates per level: the per-gate bound is α / count (ADR 0020). */
  gatesPerLevel: Record<GateLevel, number>;
}

/**
 * One stage of the sequential judge (JUDGE.md "Decision after each batch"). Pure and
 * deterministic: the same batches and times give the same verdicts.
 */
export class JudgeSession {
  private start: number | undefined;
  private lastBatchT = Number.NEGATIVE_INFINITY;
  private lastFreshT: number | undefined;
  private readonly srm = new SrmGuard();
  private canaryRequests = 0;
  private baselineRequests = 0;
  private canaryErrors = 0;
  private baselineErrors = 0;

  constructor(
    private readonly policy: JudgePolicy,
    private readonly stage: StageSpec,
    private readonly plan: SessionPlan,
    /** 'decisions': a plain "continue" carries no findings (the benchmark's millions). */
    private readonly evidence: 'full' | 'decisions' = 'full',
  ) {}

  private logThreshold = (level: GateLevel): number =>
    Math.log(Math.max(1, this.plan.gatesPerLevel[level]) / this.policy.alpha);

  observe(batch: Batch | undefined, nowSeconds: number): Verdict {
    this.start ??= this.stage.startSeconds ?? nowSeconds;
    const elapsed = Math.max(0, nowSeconds - this.start);
    const fresh =
      batch !== undefined &&
      batch.t > this.lastBatchT &&
      nowSeconds - batch.t <= this.policy.staleAfterSeconds;
    if (batch !== undefined && batch.t > this.lastBatchT) this.lastBatchT = batch.t;
    if (!fresh) return this.withoutData(batch, nowSeconds, elapsed);

    this.ingest(batch);
    return this.decide(batch, nowSeconds, elapsed);
  }

  private ingest(batch: Batch): void {
    this.lastFreshT = batch.t;
    this.canaryRequests += batch.canary.requests;
    this.baselineRequests += batch.baseline.requests;
    this.canaryErrors += batch.canary.errors;
    this.baselineErrors += batch.baseline.errors;
    this.srm.add(batch.weight, batch.canary, batch.baseline);
    for (const stream of this.plan.streams) {
      stream.add(batch);
      stream.updateGates(batch.t, this.logThreshold);
    }
    this.plan.hardGates.add(batch);
  }

  private withoutData(batch: Batch | undefined, now: number, elapsed: number): Verdict {
    const age = now - (this.lastFreshT ?? this.start ?? now);
    const why =
      batch === undefined
        ? 'no data from the metric source'
        : now - batch.t > this.policy.staleAfterSeconds
          ? `data is stale (batch at t=${batch.t}s, now ${now}s, limit ${this.policy.staleAfterSeconds}s)`
          : `duplicate or out-of-order batch at t=${batch.t}s`;
    const findings: Finding[] = [{ gate: 'data', metric: 'freshness', message: why }];
    if (age >= this.policy.maxNoDataSeconds) {
      return this.verdict(
        'pause',
        `No fresh metrics for ${fmt(age)}s (limit ${this.policy.maxNoDataSeconds}s): pausing; a metrics outage is not a regression.`,
        'no-data',
        findings,
        elapsed,
        age,
      );
    }
    if (elapsed >= this.stage.maxHoldSeconds) {
      const action = this.stage.onTimeout === 'promote' ? 'pause' : this.stage.onTimeout;
      return this.verdict(
        action,
        `Stage maximum of ${this.stage.maxHoldSeconds}s reached without fresh data: ${action} (never promote on missing data).`,
        'stage-timeout',
        findings,
        elapsed,
        age,
      );
    }
    return this.verdict(
      'inconclusive',
      `Inconclusive: ${why}; never promoting on it.`,
      'data',
      findings,
      elapsed,
      age,
    );
  }

  /** Whether anything but "continue" can come out of this batch (cheap pre-check). */
  private somethingToDecide(elapsed: number): boolean {
    if (this.srm.logBayesFactor() >= Math.log(1 / (this.policy.srmAlpha ?? 0.001))) return true;
    if (elapsed >= this.stage.maxHoldSeconds) return true;
    for (const s of this.plan.streams) for (const g of s.gates) if (g.fired) return true;
    for (const h of this.plan.hardGates.states) if (h.fired) return true;
    if (elapsed < this.stage.minHoldSeconds || this.canaryRequests < this.stage.minCanaryRequests)
      return false;
    const logPromote = Math.log(1 / this.policy.beta);
    return this.plan.streams.every(
      (s) => s.calibrated && s.profile.batches > 0 && s.logEPromote() >= logPromote,
    );
  }

  private decide(batch: Batch, now: number, elapsed: number): Verdict {
    const findings: Finding[] = [];
    const age = Math.max(0, now - batch.t);
    if (this.evidence === 'decisions' && !this.somethingToDecide(elapsed)) {
      return this.verdict('continue', 'No gate breached.', undefined, findings, elapsed, age);
    }

    // 1. Sample-ratio guard.
    const srmLogBf = this.srm.logBayesFactor();
    const srmAlpha = this.policy.srmAlpha ?? 0.001;
    const srmFinding: Finding = {
      gate: 'srm',
      metric: 'traffic_split',
      observed: {
        plannedPercent: this.srm.plannedPercent(),
        observedPercent: round(this.srm.observedPercent(), 4),
      },
      threshold: 1 / srmAlpha,
      basis: this.srm.observedBasis(),
      eValue: capE(srmLogBf),
      pValue: pOf(srmLogBf),
      message: `Canary share ${round(this.srm.observedPercent(), 3)} % vs planned ${this.srm.plannedPercent()} %.`,
    };
    findings.push(srmFinding);

    const stat = this.statFindings(findings);
    const hard = this.hardFindings(findings);

    if (srmLogBf >= Math.log(1 / srmAlpha)) {
      return this.verdict(
        'halt',
        `Traffic split is broken (canary ${round(this.srm.observedPercent(), 3)} % vs planned ${this.srm.plannedPercent()} %): the comparison is void; halting and calling a person.`,
        'srm',
        findings,
        elapsed,
        age,
      );
    }

    // 2–3. Rollback-level gates: statistical (conclusive for forSeconds) and hard.
    const firedStat = (level: GateLevel) =>
      stat
        .filter((s) => s.g.level === level && s.g.fired === true)
        .sort((a, b) => b.g.logE - a.g.logE);
    const firedHard = (level: GateLevel) =>
      hard.filter((h) => h.fired && levelOf(h.gate.action) === level);

    for (const level of ['rollback', 'pause'] as const) {
      const decision: Decision = level;
      const s = firedStat(level)[0];
      if (s) {
        return this.verdict(
          decision,
          `${s.finding.message} → ${s.g.gate.action}.`,
          s.g.gate.name,
          findings,
          elapsed,
          age,
        );
      }
      const h = firedHard(level)[0];
      if (h) {
        return this.verdict(
          decision,
          `${hardMessage(h)} → ${h.gate.action}.`,
          h.gate.name,
          findings,
          elapsed,
          age,
        );
      }
    }

    // 4. Promote: minimum time and exposure, and every stream shows "no worse than θP".
    const logPromote = Math.log(1 / this.policy.beta);
    const streams = this.plan.streams;
    const promoteReady = streams.every(
      (s) => s.calibrated && s.profile.batches > 0 && s.logEPromote() >= logPromote,
    );
    for (const s of streams) {
      const thetaP = s.testedThetaP();
      const logE = s.logEPromote();
      findings.push({
        gate: `${s.key}.promote`,
        metric: s.metric,
        basis: s.basis,
        threshold: thetaP,
        eValue: capE(logE),
        pValue: pOf(logE),
        message:
          thetaP === undefined
            ? `${s.key}: not calibrated yet.`
            : `${s.key}: evidence that the canary/baseline ratio is below ${round(thetaP, 3)}: E = ${fmtE(logE)} (needs ${fmt(1 / this.policy.beta)}).`,
      });
    }
    const minTime = elapsed >= this.stage.minHoldSeconds;
    const minExposure = this.canaryRequests >= this.stage.minCanaryRequests;
    if (minTime && minExposure && promoteReady) {
      return this.verdict(
        'promote',
        streams.length === 0
          ? `Minimum time and exposure reached and no gate breached: promote.`
          : `Every metric shows the canary within its tolerance (E ≥ ${fmt(1 / this.policy.beta)}) after ${fmt(elapsed)}s and ${this.canaryRequests} canary requests: promote.`,
        'promote',
        findings,
        elapsed,
        age,
      );
    }

    // 5. Stage maximum.
    if (elapsed >= this.stage.maxHoldSeconds) {
      return this.verdict(
        this.stage.onTimeout,
        `Stage maximum of ${this.stage.maxHoldSeconds}s reached without a conclusion: the policy's timeout action is ${this.stage.onTimeout}.`,
        'stage-timeout',
        findings,
        elapsed,
        age,
      );
    }

    const waiting: string[] = [];
    if (!minTime) waiting.push(`minimum time (${fmt(elapsed)}/${this.stage.minHoldSeconds}s)`);
    if (!minExposure)
      waiting.push(`canary requests (${this.canaryRequests}/${this.stage.minCanaryRequests})`);
    if (!promoteReady) waiting.push('evidence');
    return this.verdict(
      'continue',
      `No gate breached; waiting for ${waiting.join(', ')}.`,
      undefined,
      findings,
      elapsed,
      age,
    );
  }

  private statFindings(findings: Finding[]): { g: StreamGate; finding: Finding }[] {
    const out: { g: StreamGate; finding: Finding }[] = [];
    for (const s of this.plan.streams) {
      const p = s.profile;
      const snapshot = s.calibrated ? p.snapshot() : undefined;
      let interval: [number, number] | undefined;
      const alpha = this.policy.alpha;
      // The confidence sequence is computed when first read (a frozen copy of the
      // profile), so the benchmark's millions of verdicts do not pay for it.
      const ratioInterval = (): [number, number] => {
        if (!interval) {
          const [lo, hi] = snapshot!.confidenceInterval(alpha);
          interval = [round(lo, 6), round(hi, 6)];
        }
        return interval;
      };
      const rateC = p.canaryExposure > 0 ? p.canaryEvents / p.canaryExposure : 0;
      const rateB = p.baselineExposure > 0 ? p.baselineEvents / p.baselineExposure : 0;
      for (const g of s.gates) {
        const theta0 = s.testedTheta0(g);
        const m = Math.max(1, this.plan.gatesPerLevel[g.level]);
        const observed: Record<string, number> = {
          canaryRate: round(rateC, 6),
          baselineRate: round(rateB, 6),
          canaryEvents: p.canaryEvents,
          baselineEvents: p.baselineEvents,
        };
        if (s.tau !== undefined) observed.tauSeconds = s.tau;
        const what =
          s.kind === 'latency'
            ? `requests slower than ${s.tau}s`
            : s.kind === 'endpoint'
              ? `errors on ${s.key.slice('endpoint_errors:'.length)}`
              : `errors per ${s.basis === 'units' ? 'unit' : 'request'}`;
        const finding: Finding = {
          gate: g.gate.name,
          metric: s.metric,
          basis: s.basis,
          observed,
          message:
            theta0 === undefined
              ? `${g.gate.name}: calibrating on the baseline.`
              : `${g.gate.name}: ${what}, canary ${fmtRate(rateC)} vs baseline ${fmtRate(rateB)}; E = ${fmtE(g.logE)} against ratio ≤ ${round(theta0, 3)} (needs ${fmt(m / this.policy.alpha)})`,
        };
        if (theta0 !== undefined) {
          finding.threshold = round(theta0, 6);
          finding.eValue = capE(g.logE);
          finding.pValue = Math.min(1, m * pOf(g.logE));
          if (snapshot)
            Object.defineProperty(finding, 'ratioInterval', {
              enumerable: true,
              get: ratioInterval,
            });
        }
        findings.push(finding);
        out.push({ g, finding });
      }
    }
    return out;
  }

  private hardFindings(findings: Finding[]): HardGateState[] {
    for (const h of this.plan.hardGates.states) {
      if (h.observed === undefined) continue;
      const observed: Record<string, number> = { canary: round(h.observed, 6) };
      if (h.baseline !== undefined) observed.baseline = round(h.baseline, 6);
      if (h.since !== undefined) observed.heldSeconds = (this.lastFreshT ?? 0) - h.since;
      findings.push({
        gate: h.gate.name,
        metric: h.gate.metric,
        observed,
        threshold: h.gate.threshold,
        message: hardMessage(h),
      });
    }
    return this.plan.hardGates.states;
  }

  private verdict(
    decision: Decision,
    reason: string,
    decidedBy: string | undefined,
    findings: Finding[],
    elapsed: number,
    age: number,
  ): Verdict {
    let pValue = 1;
    for (const s of this.plan.streams) {
      for (const g of s.gates) {
        if (g.level !== 'rollback' || g.k0 === undefined) continue;
        pValue = Math.min(pValue, this.plan.gatesPerLevel.rollback * pOf(g.logE));
      }
    }
    const v: Verdict = {
      decision,
      reason,
      findings,
      exposure: {
        baselineRequests: this.baselineRequests,
        canaryRequests: this.canaryRequests,
        seconds: elapsed,
      },
      rates: {
        baseline: { errorRate: rate(this.baselineErrors, this.baselineRequests) },
        canary: { errorRate: rate(this.canaryErrors, this.canaryRequests) },
      },
      pValue: Math.min(1, pValue),
      dataAgeSeconds: age,
    };
    if (decidedBy !== undefined) v.decidedBy = decidedBy;
    return v;
  }
}

function levelOf(action: string): GateLevel {
  return action === 'pause' ? 'pause' : 'rollback';
}

function hardMessage(h: HardGateState): string {
  const g = h.gate;
  const unit = g.metric.startsWith('latency') ? 's' : '';
  const value = h.observed === undefined ? 'n/a' : `${round(h.observed, 6)}${unit}`;
  const where = h.endpoint ? ` on ${h.endpoint}` : '';
  const held = g.forSeconds > 0 ? ` (must hold ${g.forSeconds}s)` : '';
  return `${g.name}: canary ${g.metric}${g.gauge ? `:${g.gauge}` : ''}${where} ${value} vs ${g.comparison} threshold ${g.threshold}${unit}${held}`;
}

function rate(events: number, exposure: number): number {
  return exposure > 0 ? round(events / exposure, 8) : 0;
}

function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function capE(logE: number): number {
  if (logE === Number.NEGATIVE_INFINITY) return 0;
  return Math.min(MAX_REPORTED_E, round(Math.exp(logE), 6));
}

function pOf(logE: number): number {
  return logE <= 0 ? 1 : Math.exp(-logE);
}

function fmt(x: number): string {
  return String(round(x, 2));
}

function fmtE(logE: number): string {
  const e = Math.exp(logE);
  if (e >= 1e6) return e.toExponential(2);
  return String(round(e, 2));
}

function fmtRate(r: number): string {
  return `${round(100 * r, 4)} %`;
}
