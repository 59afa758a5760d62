/**
 * `rollgate demo`: the built-in router, two versions of the demo service and a load
 * generator on loopback, a SQLite store under `./rollgate-demo/`, and the engine running a
 * minor release of the new version on a compressed clock (ADR 0090, 0091), all built by
 * the composition root (`createApp`) with the demo's providers. Reports
 * progress from the rollout's timeline and ends with the outcome and detection time.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ScaledClock } from '../adapters/clock/scaled-clock.js';
import { abortableTimeout as sleep } from '../adapters/clock/system-clock.js';
import { BuiltinMetricSource } from '../adapters/metrics/builtin/builtin-metric-source.js';
import { BuiltinRouterAdapter } from '../adapters/routers/builtin/builtin-router-adapter.js';
import { startNotifications } from '../app/run-notifications.js';
import { type App, createApp } from '../app.js';
import { coerceError, RollgateError } from '../core/errors/rollgate-error.js';
import { incidentIdOf } from '../core/incident/incident.js';
import type { Batch } from '../core/judge/judge-types.js';
import { resolvePlan } from '../core/plan/resolve-plan.js';
import type { SloTargets } from '../core/records/post-release-report.js';
import type { Release, RolloutSnapshot, TimelineEvent } from '../core/rollout/rollout-types.js';
import type { Engine } from '../engine/engine.js';
import { isIncidentStore } from '../ports/incident-store.js';
import type { PostMortemStore } from '../ports/post-mortem-store.js';
import type { Store } from '../ports/store.js';
import { writePostMortem, writeReleaseReport } from '../records-io/record-files.js';
import { DemoDeployer } from './demo-deployer.js';
import { compileDemoPolicy, DEMO_SERVICE, demoPolicyText } from './demo-policy.js';
import { addArm, type DemoProgress, type DemoVerdict, emptyTotals } from './demo-progress.js';
import {
  type DemoExpectation,
  type DemoScenarioName,
  SCENARIOS,
  scenarioFaults,
} from './demo-scenarios.js';
import { type DemoStack, startDemoStack } from './demo-stack.js';
import { type LoadReport, runLoad } from './load-generator.js';
import {
  WallTimeMetricSource,
  WeightChanges,
  WeightTrackingRouter,
} from './wall-time-metric-source.js';

export const DEMO_DIR = 'rollgate-demo';
const NOTIFY_POLL_WALL_MS = 250;
const NOTIFY_FLUSH_WALL_MS = 15_000;
/** One judge batch per real second, whatever the speed (ADR 0090). */
export const BATCH_WALL_MS = 1_000;
const STABLE_VERSION = 'v2.0.0';
const CANARY_VERSION = 'v2.1.0';
const POLL_MS = 200;
/** Load before the release starts, so the baseline is measured from the first batch. */
const WARMUP_MS = 1_000;
const END_STATES = ['completed', 'rolled_back', 'failed', 'paused'] as const;
const IN_FLIGHT = ['pending', 'running', 'paused', 'rolling_back'] as const;

export interface RunDemoOptions {
  scenario: DemoScenarioName;
  /** Clock speed: demo seconds per real second. */
  speed: number;
  /** Requests per second the load generator sends to the router. */
  rps: number;
  cwd: string;
  /** Leave the stack running at the end (until `signal` aborts). */
  keep?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DemoProgress) => void;
  /** With `keep`: called once the rollout ended, while the stack keeps running. */
  onKept?: (summary: DemoSummary) => void;
  /**
   * Called with the demo's app (store, engine, clock) before the release starts, e.g. to
   * serve the dashboard on it (`--ui`); what it returns is called when the demo stops.
   */
  onApp?: (app: App) => Promise<() => Promise<void>>;
  /** Called once the release started, with its rollout's id. */
  onStarted?: (rolloutId: string) => void;
  /**
   * A person watches (`--ui`): a paused rollout waits for them (resume, abort from the
   * dashboard) instead of ending the demo, there is no time limit, and the engine keeps
   * running after the end so the rollout still takes commands (rollback) until `signal`.
   */
  interactive?: boolean;
  /** A `notifications:` section for the demo policy (`--notify-config`). */
  notifications?: string;
  /** Environment for the notifiers' secret references (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface DemoUrls {
  router: string;
  routerAdmin: string;
  stable: string;
  canary: string;
}

export interface DemoDetection {
  /** Wall seconds from the canary's first traffic to the rollback decision. */
  seconds: number;
  /** The same on the demo clock. */
  demoSeconds: number;
  /** Canary requests and errors the judge had seen by then. */
  canaryRequests: number;
  canaryErrors: number;
  weight: number;
  step: string;
  decidedBy?: string;
  reason: string;
}

export interface DemoSummary {
  scenario: DemoScenarioName;
  story: string;
  expected: DemoExpectation;
  outcome: RolloutSnapshot['state'] | 'interrupted';
  /** The outcome is what the scenario expects. */
  ok: boolean;
  speed: number;
  rps: number;
  rolloutId: string;
  /** Wall seconds from the rollout's start to its end, and on the demo clock. */
  seconds: number;
  demoSeconds: number;
  detection?: DemoDetection;
  pauseReason?: string;
  load?: Pick<LoadReport, 'sent' | 'succeeded' | 'failed' | 'dropped'>;
  /** The store, the policy it ran, and the records written from the timeline. */
  files: { store: string; policy: string; records: string[] };
  /** Why no records were written, when writing them failed. */
  recordsError?: string;
  /** The incident the rollback opened, and what the notification channels were sent. */
  incident?: { id: string; status: string };
  notifications?: {
    delivered: number;
    /** Due now and not yet delivered. */
    pending: number;
    /** Pending but due later (reminders). */
    scheduled: number;
    dead: number;
    cancelled: number;
  };
  urls?: DemoUrls;
}

/** Runs the demo to its end; everything it started is stopped before it returns (unless `keep`). */
export async function runDemo(options: RunDemoOptions): Promise<DemoSummary> {
  const scenario = SCENARIOS[options.scenario];
  const dir = resolve(options.cwd, DEMO_DIR);
  await mkdir(dir, { recursive: true });
  const files = {
    store: join(dir, 'rollgate.db'),
    policy: join(dir, 'rollgate.yaml'),
    records: [] as string[],
  };
  const cleanup: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const f of cleanup.splice(0).reverse()) await f().catch(() => undefined);
  };
  try {
    const stack = await startDemoStack({
      stableVersion: STABLE_VERSION,
      canaryVersion: CANARY_VERSION,
      canaryFaults: scenarioFaults(scenario, options.speed),
    });
    cleanup.push(() => stack.stop());
    options.signal?.throwIfAborted();
    const urls = urlsOf(stack);

    const clock = new ScaledClock(options.speed);
    const batchMs = BATCH_WALL_MS * options.speed;
    const text = demoPolicyText({
      scenario: scenario.name,
      speed: options.speed,
      batchSeconds: batchMs / 1000,
      routerListen: hostPort(stack.url),
      routerAdmin: hostPort(stack.adminUrl),
      stableUrl: stack.stable.url,
      canaryUrl: stack.canary.url,
      ...(options.notifications ? { notifications: options.notifications } : {}),
    });
    await writeFile(files.policy, text);
    const policy = compileDemoPolicy(text, files.policy);
    const plan = resolvePlan(policy, { releaseType: 'minor', service: DEMO_SERVICE });

    // The object graph comes from the composition root, with the demo's providers: the
    // built-in router and metrics seen through the demo clock (ADR 0090), and a deployer
    // for versions the demo stack already runs.
    const changes = new WeightChanges();
    const loadStop = new AbortController();
    let demoRolloutId: string | undefined;
    const app = await createApp({
      policy,
      store: files.store,
      cwd: options.cwd,
      ...(options.env ? { env: options.env } : {}),
      clock,
      // The outbox and the keeper look every half real second, whatever the speed.
      outbox: { pollIntervalMs: NOTIFY_POLL_WALL_MS * options.speed },
      engine: {
        // The traffic ends the moment the demo's rollout completes (ADR 0143), so the
        // read the records take after their settle time is all the router counted.
        onCommitted: (next) => {
          if (!options.interactive && next.id === demoRolloutId && next.state === 'completed')
            loadStop.abort();
        },
        batchIntervalMs: batchMs,
        // Waits in wall terms: a quarter second, doubling, whatever the speed.
        retry: {
          attempts: 4,
          initialDelayMs: 250 * options.speed,
          maxDelayMs: 2_000 * options.speed,
          factor: 2,
        },
        errorBackoffMs: 500 * options.speed,
      },
      providers: {
        routers: {
          builtin: () =>
            new WeightTrackingRouter(
              new BuiltinRouterAdapter({ adminUrl: stack.adminUrl }),
              changes,
            ),
        },
        metrics: {
          builtin: () =>
            new WallTimeMetricSource(
              new BuiltinMetricSource({ adminUrl: stack.adminUrl }),
              (t) => clock.wallTime(t),
              changes,
            ),
        },
        deployers: { local: () => new DemoDeployer(stack) },
      },
      // The rollback reaction (post-mortem, forensics): its folders next to the store, and
      // two wall seconds for the last requests to the bad version to finish before it
      // reads what that version served.
      records: { forensicsDir: join(dir, 'forensics'), settleMs: 2_000 * options.speed },
    });
    cleanup.push(() => app.close());
    const { engine, store } = app;
    await abortLeftovers(engine, store);
    if (options.onApp) cleanup.push(await options.onApp(app));
    const notifications = startNotifications(app, options.signal, {
      keeperIntervalMs: NOTIFY_POLL_WALL_MS * options.speed,
    });
    cleanup.push(() => notifications.stop());

    const load = runLoad({
      url: stack.url,
      rate: options.rps,
      durationMs: 30 * 60_000,
      users: 1000,
      signal: loadStop.signal,
    });
    let loadReport: LoadReport | undefined;
    cleanup.push(async () => {
      loadStop.abort();
      loadReport = await load;
    });
    await sleep(WARMUP_MS, options.signal);

    const release: Release = {
      id: `rel-${randomUUID()}`,
      service: DEMO_SERVICE,
      version: CANARY_VERSION,
      previousVersion: STABLE_VERSION,
      type: 'minor',
      risk: 'high',
      notes: `rollgate demo, scenario ${scenario.name}: ${scenario.story}`,
      createdAt: new Date(clock.now()).toISOString(),
      createdBy: '@demo',
    };
    const started = await engine.start({ release, plan, actor: '@demo' });
    demoRolloutId = started.id;
    options.onStarted?.(started.id);
    const endStates: readonly string[] = options.interactive
      ? END_STATES.filter((s) => s !== 'paused')
      : END_STATES;
    const wallStart = Date.now();
    const demoStart = clock.now();
    const watcher = new TimelineWatcher(store, started.id);
    let snapshot = started;
    let interrupted = false;
    const deadline = wallStart + maxWallMs(plan.expectedSeconds, options.speed);
    for (;;) {
      const events = await watcher.poll();
      snapshot = (await store.getRollout(started.id)) ?? snapshot;
      options.onProgress?.(
        watcher.progress(
          snapshot,
          events,
          (Date.now() - wallStart) / 1000,
          (clock.now() - demoStart) / 1000,
        ),
      );
      if (endStates.includes(snapshot.state)) break;
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (!options.interactive && Date.now() > deadline) {
        throw new RollgateError(
          'timeout',
          `the demo rollout did not end in ${Math.round((deadline - wallStart) / 1000)} s`,
          {
            hint: 'the machine may be too busy: try a lower --rps or --speed',
          },
        );
      }
      await sleep(POLL_MS, options.signal).catch(() => undefined);
    }
    const seconds = (Date.now() - wallStart) / 1000;
    const demoSeconds = (clock.now() - demoStart) / 1000;
    // The traffic ends with the rollout (well within the records' settle time), so what the
    // records read over the rollout is all the router counted for the new version (ADR 0143).
    if (!options.interactive) loadStop.abort();
    if (!options.interactive) await engine.stop();
    await app.records?.settled();
    // The notifications of the end (rolled back, incident resolved) go out before the summary.
    if (!interrupted) await notifications.flush(NOTIFY_FLUSH_WALL_MS);
    const notified = await notificationSummary(app.store, started.id, clock.now());
    const events = await store.listEvents(started.id);
    const detection = detectionOf(events, (iso) => clock.wallTime(Date.parse(iso)));
    const outcome = interrupted ? 'interrupted' : snapshot.state;
    let recordsError: string | undefined;
    if (!interrupted) {
      try {
        files.records = await writeDemoRecords(
          store,
          snapshot,
          join(dir, 'records'),
          clock.now(),
          policy.services[DEMO_SERVICE]?.slo,
        );
      } catch (err) {
        recordsError = coerceError(err).message;
      }
    }
    const summary: DemoSummary = {
      scenario: scenario.name,
      story: scenario.story,
      expected: scenario.expect,
      outcome,
      ok: outcome === scenario.expect,
      speed: options.speed,
      rps: options.rps,
      rolloutId: started.id,
      seconds: round(seconds),
      demoSeconds: Math.round(demoSeconds),
      ...(detection ? { detection } : {}),
      ...(snapshot.state === 'paused' && snapshot.pauseReason
        ? { pauseReason: snapshot.pauseReason }
        : {}),
      files,
      ...(recordsError ? { recordsError } : {}),
      ...notified,
    };
    if (options.keep && !interrupted) {
      summary.urls = urls;
      options.onKept?.(summary);
      await new Promise<void>((done) => {
        if (options.signal === undefined || options.signal.aborted) return done();
        options.signal.addEventListener('abort', () => done(), { once: true });
      });
    }
    await stopAll();
    if (loadReport) {
      const { sent, succeeded, failed, dropped } = loadReport;
      summary.load = { sent, succeeded, failed, dropped };
    }
    return summary;
  } finally {
    await stopAll();
  }
}

async function notificationSummary(
  store: Store,
  rolloutId: string,
  nowMs: number,
): Promise<Pick<DemoSummary, 'incident' | 'notifications'>> {
  if (!isIncidentStore(store)) return {};
  const incident = await store.getIncident(incidentIdOf(rolloutId));
  const messages = await store.listOutbox({ rolloutId });
  const count = (status: string) => messages.filter((m) => m.status === status).length;
  // A pending message not due yet (the post-mortem's due/overdue reminders) is scheduled.
  const later = messages.filter(
    (m) => m.status === 'pending' && Date.parse(m.nextAttemptAt) > nowMs,
  ).length;
  return {
    ...(incident ? { incident: { id: incident.id, status: incident.status } } : {}),
    ...(messages.length > 0
      ? {
          notifications: {
            delivered: count('delivered'),
            pending: count('pending') - later,
            scheduled: later,
            dead: count('dead'),
            cancelled: count('cancelled'),
          },
        }
      : {}),
  };
}

/** The post-mortem draft of a rollback, or the post-release report of a completed release. */
async function writeDemoRecords(
  store: Store,
  snapshot: RolloutSnapshot,
  outDir: string,
  nowMs: number,
  slo?: SloTargets,
): Promise<string[]> {
  if (!isPostMortemStore(store)) return [];
  const ctx = { store, outDir, now: new Date(nowMs).toISOString() };
  if (snapshot.state === 'rolled_back') return (await writePostMortem(ctx, snapshot.id)).files;
  if (snapshot.state === 'completed') return writeReleaseReport(ctx, snapshot.id, slo);
  return [];
}

function isPostMortemStore(store: Store): store is Store & PostMortemStore {
  return typeof (store as Partial<PostMortemStore>).createPostMortem === 'function';
}

/** A demo killed half way leaves its rollout in flight: abort it so this one can start. */
async function abortLeftovers(engine: Engine, store: Store): Promise<void> {
  const left = await store.listRollouts({ states: [...IN_FLIGHT] });
  for (const r of left.filter((x) => x.service === DEMO_SERVICE)) {
    if (r.state !== 'rolling_back')
      await engine.command(r.id, 'abort', '@demo').catch(() => undefined);
    for (let i = 0; i < 50; i++) {
      const s = await store.getRollout(r.id);
      if (s === undefined || !(IN_FLIGHT as readonly string[]).includes(s.state)) break;
      await sleep(100);
    }
  }
}

/** Reads the timeline as it grows and keeps the view's running totals. */
class TimelineWatcher {
  private lastSeq = 0;
  private step = -1;
  private baseline = emptyTotals();
  private canary = emptyTotals();
  private verdict: DemoVerdict | undefined;

  constructor(
    private readonly store: Store,
    private readonly rolloutId: string,
  ) {}

  async poll(): Promise<TimelineEvent[]> {
    const events = await this.store.listEvents(this.rolloutId, this.lastSeq);
    for (const e of events) {
      this.lastSeq = Math.max(this.lastSeq, e.seq);
      this.take(e);
    }
    return events;
  }

  private take(e: TimelineEvent): void {
    const step = typeof e.data.step === 'number' ? e.data.step : undefined;
    if (e.type === 'step.started' && step !== undefined) {
      this.step = step;
      this.verdict = undefined;
      this.baseline = emptyTotals();
      this.canary = emptyTotals();
    }
    if (e.type === 'judge.verdict') {
      const batch = e.data.batch as Batch | null | undefined;
      addArm(this.baseline, batch?.baseline);
      addArm(this.canary, batch?.canary);
      this.verdict = {
        decision: String(e.data.decision),
        reason: String(e.data.reason ?? ''),
        ...(typeof e.data.decidedBy === 'string' ? { decidedBy: e.data.decidedBy } : {}),
      };
    }
    if (e.type === 'watch.sample') {
      addArm(this.canary, (e.data.arm ?? undefined) as Batch['canary'] | undefined);
      const breaches = e.data.breaches;
      this.verdict = {
        decision: String(e.data.decision),
        reason:
          Array.isArray(breaches) && breaches.length > 0
            ? `watch: ${breaches.map((b) => String((b as { message?: unknown }).message ?? '')).join('; ')}`
            : 'watch: the new version serves everyone; no absolute gate breached',
      };
    }
    if (e.type === 'rollback.started' || e.type === 'rollout.paused') {
      this.verdict = {
        decision: e.type === 'rollback.started' ? 'rollback' : 'pause',
        reason: String(e.data.reason ?? e.message),
        ...(typeof e.data.decidedBy === 'string' ? { decidedBy: e.data.decidedBy } : {}),
      };
    }
  }

  progress(
    snapshot: RolloutSnapshot,
    newEvents: TimelineEvent[],
    elapsedSeconds: number,
    demoSeconds: number,
  ): DemoProgress {
    return {
      snapshot,
      elapsedSeconds,
      demoSeconds,
      step: this.step,
      baseline: this.baseline,
      canary: this.canary,
      ...(this.verdict ? { verdict: this.verdict } : {}),
      newEvents,
    };
  }
}

/** From the canary's first traffic to the rollback decision, with what the judge had seen. */
export function detectionOf(
  events: TimelineEvent[],
  wallOf: (iso: string) => number,
): DemoDetection | undefined {
  const exposed = events.find((e) => e.type === 'router.weight_set' && Number(e.data.weight) > 0);
  const rollback = events.find((e) => e.type === 'rollback.started');
  if (!exposed || !rollback) return undefined;
  let canaryRequests = 0;
  let canaryErrors = 0;
  let weight = 0;
  let step = '';
  for (const e of events) {
    if (e.seq > rollback.seq) break;
    if (e.type === 'router.weight_set') weight = Number(e.data.weight);
    if (e.type === 'step.started') step = String(e.data.name ?? '');
    const arm =
      e.type === 'judge.verdict'
        ? (e.data.batch as Batch | null | undefined)?.canary
        : e.type === 'watch.sample'
          ? ((e.data.arm ?? undefined) as Batch['canary'] | undefined)
          : undefined;
    if (arm) {
      canaryRequests += arm.requests;
      canaryErrors += arm.errors;
    }
  }
  return {
    seconds: round((wallOf(rollback.at) - wallOf(exposed.at)) / 1000),
    demoSeconds: Math.round((Date.parse(rollback.at) - Date.parse(exposed.at)) / 1000),
    canaryRequests,
    canaryErrors,
    weight,
    step,
    ...(typeof rollback.data.decidedBy === 'string' ? { decidedBy: rollback.data.decidedBy } : {}),
    reason: String(rollback.data.reason ?? rollback.message),
  };
}

/** Generous: the plan's time plus its watch at this speed, three times over, plus a minute. */
function maxWallMs(expectedSeconds: number, speed: number): number {
  return ((expectedSeconds + 3600) / speed) * 3 * 1000 + 60_000;
}

function urlsOf(stack: DemoStack): DemoUrls {
  return {
    router: stack.url,
    routerAdmin: stack.adminUrl,
    stable: stack.stable.url,
    canary: stack.canary.url,
  };
}

function hostPort(url: string): string {
  return new URL(url).host;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
