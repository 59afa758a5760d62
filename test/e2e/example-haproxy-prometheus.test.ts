import { afterEach, describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../src/core/rollout/rollout-types.js';
import { type ExampleStack, startExampleStack } from '../helpers/example-stack.js';
import { HAPROXY } from '../helpers/haproxy-stack.js';
import { PROMETHEUS } from '../helpers/prometheus-server.js';
import { haveBinary, sleep, waitFor } from '../helpers/real-servers.js';

// examples/haproxy-prometheus run the way its README tells a user to: `./start.sh`, load
// through HAProxy, `rollgate validate --connect`, then `rollgate release start … --wait`
// with the example's own policy (its tour timings: a release takes about two minutes),
// real HAProxy, real Prometheus scraping HAProxy every second, and the demo service.
const RATE = 100;
const ERROR_SPIKE = '{"errorRate":{"endpoint":"/v1/payment/process","rate":0.03,"status":503}}';
const START = ['release', 'start', '--service', 'demo', '--type', 'minor'];

let stack: ExampleStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** `./start.sh`, load, and `rollgate validate --connect` until Prometheus has both arms. */
async function startWithLoad(env: Record<string, string> = {}): Promise<ExampleStack> {
  stack = await startExampleStack(env);
  const s = stack;
  s.startLoad(RATE);
  let last = '';
  await waitFor(
    'both HAProxy servers in Prometheus (rollgate validate --connect)',
    async () => {
      const r = await s.rollgate(['validate', '--connect']);
      last = r.stdout + r.stderr;
      return r.code === 0 && /metrics\.requests: \d+ series \(baseline, canary\)/.test(last);
    },
    30_000,
    1_000,
  );
  expect(last).toMatch(/router: HAProxy reachable, canary weight 0%/);
  // Prometheus' first samples: let a few scrapes with traffic land before the release.
  await sleep(3_000);
  return s;
}

async function timeline(s: ExampleStack, id: string): Promise<TimelineEvent[]> {
  const r = await s.rollgate(['status', id, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { events: TimelineEvent[] }).events;
}

/**
 * Stops the load, then holds what its clients saw against HAProxy's own counts: every 5xx
 * a client saw is one the canary answered (HAProxy made none of its own: no request was
 * dropped by a deploy, a weight change or the rollback), no client saw a reset or a
 * timeout, no request had to be retried, and the stable pool answered no 5xx.
 * Returns the canary's 5xx count.
 */
async function expectEveryErrorFromTheCanary(s: ExampleStack, minSent = 1_000): Promise<number> {
  const seen = await s.stopLoad();
  const counts = await s.haproxyCounts();
  const seen5xx = Object.entries(seen.byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, n]) => sum + n, 0);
  const why = JSON.stringify({ seen, counts });
  expect(seen.sent, why).toBeGreaterThan(minSent);
  expect(seen.byStatus['0'] ?? 0, `resets or timeouts: ${why}`).toBe(0);
  expect(seen.failed, why).toBe(seen5xx);
  expect(counts, why).toMatchObject({ stable5xx: 0, retried: 0, failedExchanges: 0 });
  expect(counts.clients5xx, `5xx made by HAProxy itself: ${why}`).toBe(counts.canary5xx);
  expect(seen5xx, why).toBe(counts.canary5xx);
  return counts.canary5xx;
}

const rolloutIdOf = (stdout: string) => /started (ro-[0-9a-f]+)/.exec(stdout)?.[1] ?? '';
const ofType = (events: TimelineEvent[], type: string) => events.filter((e) => e.type === type);
const dataOf = (e: TimelineEvent) => e.data as Record<string, unknown>;

describe.skipIf(!haveBinary(HAPROXY) || !haveBinary(PROMETHEUS))(
  'examples/haproxy-prometheus end to end (rollgate CLI, real HAProxy, Prometheus, demo service)',
  () => {
    it('a canary failing 3 % of payments is rolled back through HAProxy, judged on Prometheus (exit 3)', async () => {
      const s = await startWithLoad({ DEMO_CANARY_FAULTS: ERROR_SPIKE });
      const r = await s.rollgate([
        ...START,
        '--version',
        'v2',
        '--previous-version',
        'v1',
        '--wait',
      ]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(3);
      expect(r.stdout).toMatch(/rollback\.started/);
      expect(r.stdout).toMatch(/rollback\.completed/);

      // Traffic is back on stable in HAProxy itself, and both pools run v1 again.
      expect(await s.canaryWeight()).toBe(0);
      expect(await s.versionOf('canary')).toBe('v1');
      expect(await s.versionOf('stable')).toBe('v1');
      // Every 5xx a client saw is one of the canary's own (the fault, 503): no request was
      // dropped by the deploy, the weight changes or the rollback.
      expect(await expectEveryErrorFromTheCanary(s)).toBeGreaterThan(0);

      const events = await timeline(s, rolloutIdOf(r.stdout));
      const verdicts = ofType(events, 'judge.verdict');
      const fatal = verdicts.find((e) => dataOf(e).decision === 'rollback');
      expect(fatal, JSON.stringify(verdicts.map((e) => e.message))).toBeDefined();
      const d = dataOf(fatal as TimelineEvent);
      expect(d.source).toBe('prometheus');
      expect(['error-rate-rollback', 'error-rate-no-go']).toContain(d.decidedBy);
      // The evidence is Prometheus' counts of HAProxy's responses: errors on the canary only.
      const batch = d.batch as { canary: { errors: number }; baseline: { errors: number } };
      expect(batch.canary.errors).toBeGreaterThan(0);
      expect(batch.baseline.errors).toBe(0);
      expect(verdicts.every((e) => dataOf(e).source === 'prometheus')).toBe(true);
      const weights = ofType(events, 'router.weight_set').map((e) => dataOf(e).weight);
      expect(weights.at(-1)).toBe(0);
      expect(weights).not.toContain(100);
      const started = ofType(events, 'rollback.started')[0];
      expect(dataOf(started as TimelineEvent)).toMatchObject({ trigger: 'judge' });
    });

    it('a healthy new version is promoted stage by stage to 100 % (exit 0)', async () => {
      // The example's own scrape interval (5 s, half a batch): the first batch after each
      // weight change must not mix in the old weight (ADR 0132), or the sample-ratio guard
      // halts this healthy release.
      const s = await startWithLoad({ SCRAPE_INTERVAL: '5s' });
      const r = await s.rollgate([
        ...START,
        '--version',
        'v2',
        '--previous-version',
        'v1',
        '--wait',
      ]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/rollout\.completed/);

      expect(await s.canaryWeight()).toBe(200); // all of HAProxy's weight: 100 %
      expect(await s.versionOf('canary')).toBe('v2');
      expect(await s.versionOf('stable')).toBe('v2');
      // Both pools restarted under load (canary at 0 %, stable at 0 %): no client saw a 5xx.
      expect(await expectEveryErrorFromTheCanary(s)).toBe(0);

      const events = await timeline(s, rolloutIdOf(r.stdout));
      const weights = ofType(events, 'router.weight_set').map((e) => dataOf(e).weight);
      expect(weights).toEqual([5, 25, 50, 100]);
      const verdicts = ofType(events, 'judge.verdict');
      expect(verdicts.length).toBeGreaterThanOrEqual(6);
      for (const v of verdicts) {
        expect(dataOf(v).source).toBe('prometheus');
        expect(dataOf(v).batch, v.message).not.toBeNull();
      }
      expect(ofType(events, 'rollback.started')).toEqual([]);
    });

    it('rollback.sh after the new version reached the stable pool restarts both pools under load and loses no request', async () => {
      // Where a late rollback starts (the watch, after `deploy stable`): both pools on v2,
      // rollgate has just set the canary weight to 0, so the stable pool carries everything
      // and must restart all the same (ROLLGATE_TARGET=stable).
      stack = await startExampleStack();
      const s = stack;
      s.startLoad(RATE);
      const deployEnv = { ROLLGATE_SERVICE: 'demo', ROLLGATE_ROLLOUT_ID: 'ro-test' };
      const deploy = { ...deployEnv, ROLLGATE_VERSION: 'v2' };
      await s.script('deploy.sh', [], { ...deploy, ROLLGATE_TARGET: 'canary' });
      await s.setCanaryWeight(200);
      await s.script('deploy.sh', [], { ...deploy, ROLLGATE_TARGET: 'stable' });
      await sleep(2_000);
      await s.setCanaryWeight(0);
      await s.script('rollback.sh', [], {
        ...deployEnv,
        ROLLGATE_TARGET: 'stable',
        ROLLGATE_PREVIOUS_VERSION: 'v1',
      });
      await sleep(1_000);
      expect(await s.versionOf('canary')).toBe('v1');
      expect(await s.versionOf('stable')).toBe('v1');
      // The weights rollgate set are the ones in force again.
      expect(await s.canaryWeight()).toBe(0);
      expect(await s.stableWeight()).toBe(200);
      expect(await expectEveryErrorFromTheCanary(s, 500)).toBe(0);
    });

    it('Prometheus killed mid-stage: inconclusive, paused at the no-data limit, resumed, completed', async () => {
      const s = await startWithLoad();
      const weightsSeen: number[] = [];
      let killedAt = 0;
      let restarted = false;
      const watchWeights = (async () => {
        while (!restarted) {
          if (killedAt > 0) weightsSeen.push(await s.canaryWeight().catch(() => -1));
          await sleep(250);
        }
      })();

      // Kill Prometheus (SIGKILL) once the canary stage has had one verdict on real data.
      const first = await s.rollgate(
        [...START, '--version', 'v2', '--previous-version', 'v1', '--wait'],
        (line) => {
          if (killedAt === 0 && /judge\.verdict {2}continue/.test(line)) {
            killedAt = Date.now();
            void s.prometheusPid().then((pid) => process.kill(pid, 'SIGKILL'));
          }
        },
      );
      expect(killedAt, first.stdout).toBeGreaterThan(0);
      // `--wait` ends on the pause: exit 4, a person is needed.
      expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(4);
      const id = rolloutIdOf(first.stdout);
      const atPause = await timeline(s, id);
      const paused = ofType(atPause, 'rollout.paused').at(-1) as TimelineEvent;
      expect(dataOf(paused).metricsUnavailable).toBe(true);
      expect(paused.message).toMatch(
        /No fresh metrics for [\d.]+s \(limit 15s\)|no data for \d+ s \(limit 15 s\)/,
      );
      expect(paused.message).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
      const blind = ofType(atPause, 'judge.verdict').filter((e) => dataOf(e).batch === null);
      expect(blind.length).toBeGreaterThanOrEqual(1);
      for (const v of blind) {
        expect(dataOf(v).decision).not.toBe('promote');
        expect(String(dataOf(v).noDataReason)).toMatch(/Prometheus at .* is unreachable/);
      }
      expect(blind.some((v) => dataOf(v).decision === 'inconclusive')).toBe(true);
      expect(ofType(atPause, 'rollout.promoted')).toEqual([]);

      // Nothing moves while it is paused with Prometheus down.
      await sleep(3_000);
      expect(await s.canaryWeight()).toBe(10); // 5 % of 200

      // Prometheus back on the same port and data (`./start.sh prometheus`), then a person
      // resumes and a controller drives the rest.
      await s.script('start.sh', ['prometheus']);
      restarted = true;
      await watchWeights;
      expect(weightsSeen.length).toBeGreaterThan(10);
      expect(Math.max(...weightsSeen)).toBe(10);
      const resumed = await s.rollgate(['resume', id]);
      expect(resumed.code, resumed.stderr).toBe(0);
      const controller = await s.rollgate(['controller', '--exit-when-idle']);
      expect(controller.code, controller.stderr).toBe(0);

      const events = await timeline(s, id);
      const status = await s.rollgate(['status', id, '--json']);
      expect(JSON.parse(status.stdout).rollout.state).toBe('completed');
      expect(await s.canaryWeight()).toBe(200);
      // Both pools restarted under load, Prometheus killed and restarted: no client saw a 5xx.
      expect(await expectEveryErrorFromTheCanary(s)).toBe(0);
      const types = events.map((e) => e.type);
      const pausedAt = types.lastIndexOf('rollout.paused');
      const resumedAt = types.indexOf('rollout.resumed');
      expect(pausedAt).toBeGreaterThan(0);
      expect(resumedAt).toBeGreaterThan(pausedAt);
      expect(types.indexOf('rollout.completed')).toBeGreaterThan(resumedAt);
      // From the kill to the first verdict on data after the restart, no weight went up.
      const blindFrom = events.findIndex(
        (e) => e.type === 'judge.verdict' && dataOf(e).batch === null,
      );
      const seeingAgain = events.findIndex(
        (e, i) => i > resumedAt && e.type === 'judge.verdict' && dataOf(e).batch !== null,
      );
      expect(seeingAgain).toBeGreaterThan(resumedAt);
      const duringOutage = events
        .slice(blindFrom, seeingAgain)
        .filter((e) => e.type === 'router.weight_set')
        .map((e) => dataOf(e).weight as number);
      expect(duringOutage.every((w) => w <= 5)).toBe(true);
      expect(
        events
          .slice(blindFrom, seeingAgain)
          .some((e) => e.type === 'rollout.promoted' || e.type === 'step.completed'),
      ).toBe(false);
    });
  },
);
