import { describe, expect, it } from 'vitest';
import type { Batch } from '../../../src/core/judge/judge-types.js';
import { verdict } from '../../fakes/fake-judge.js';
import { healthyArm } from '../../fakes/fake-metric-source.js';
import { MachineHarness } from '../../fakes/machine-driver.js';
import { majorPlan, minorPlan } from '../../fakes/plans.js';

const batch = (weight: number): Batch => ({
  t: 10,
  weight,
  baseline: healthyArm(),
  canary: healthyArm(100, 0),
});

/** A minor rollout at its first traffic step (5 %). */
async function atCanary(): Promise<MachineHarness> {
  const h = await MachineHarness.create(minorPlan());
  await h.input({ type: 'start' });
  await h.input({ type: 'step_started' });
  await h.input({
    type: 'checks_done',
    results: [{ name: 'health', ok: true, durationMs: 1, message: 'ok' }],
  });
  await h.input({ type: 'step_started' });
  await h.input({ type: 'deployed', target: 'canary', message: 'ready' });
  await h.input({ type: 'step_started' });
  await h.input({
    type: 'checks_done',
    results: [{ name: 'health', ok: true, durationMs: 1, message: 'ok' }],
  });
  await h.input({ type: 'step_started', weight: 5 });
  expect(h.snapshot).toMatchObject({ state: 'running', stepIndex: 3, weight: 5 });
  return h;
}

describe('engine inputs', () => {
  it('promote from the judge ends the step and notifies rollout.promoted', async () => {
    const h = await atCanary();
    h.tick(600);
    await h.input({
      type: 'verdict',
      t: 600,
      batch: batch(5),
      verdict: verdict('promote'),
      windowFrom: h.at(),
    });
    expect(h.snapshot.stepIndex).toBe(4);
    expect(h.snapshot.steps[3]!.state).toBe('succeeded');
    expect(h.last.outbox.map((m) => m.eventType)).toEqual(['rollout.promoted']);
    expect(h.last.outbox[0]!.idempotencyKey).toBe(
      `ro-1:${h.snapshot.lastSeq}:rollout.promoted:notify`,
    );
  });

  it('never promotes on a batch without data', async () => {
    const h = await atCanary();
    await h.input({
      type: 'verdict',
      t: 10,
      batch: undefined,
      verdict: verdict('promote'),
      windowFrom: h.at(),
    });
    expect(h.snapshot).toMatchObject({ state: 'running', stepIndex: 3 });
    const e = (await h.events()).at(-1)!;
    expect(e.data).toMatchObject({ decision: 'inconclusive', judgeDecision: 'promote' });
    expect(e.message).toContain('promote refused');
  });

  it('pauses with "metrics unavailable" after maxNoDataSeconds without data', async () => {
    const h = await atCanary();
    const start = h.at();
    for (let i = 0; i < 11; i += 1) {
      const from = h.at();
      h.tick(10);
      await h.input({
        type: 'verdict',
        t: 10 * (i + 1),
        batch: undefined,
        verdict: verdict('inconclusive'),
        windowFrom: from,
      });
      expect(h.snapshot.state).toBe('running');
    }
    expect(h.snapshot.steps[3]!.detail!.noDataSince).toBe(start);
    h.tick(10);
    await h.input({
      type: 'verdict',
      t: 120,
      batch: undefined,
      verdict: verdict('inconclusive'),
      windowFrom: h.at(),
    });
    expect(h.snapshot.state).toBe('paused');
    expect(h.snapshot.pauseReason).toBe('metrics unavailable: no data for 120 s (limit 120 s)');
  });

  it('a batch without data says why, and which source, in the timeline and the pause', async () => {
    const h = await atCanary();
    const down = 'Prometheus at http://127.0.0.1:9090 is unreachable: ECONNREFUSED';
    const start = h.at();
    h.tick(60);
    await h.input({
      type: 'verdict',
      t: 60,
      batch: undefined,
      verdict: verdict('continue'),
      windowFrom: start,
      noDataReason: down,
      source: 'prometheus',
    });
    const inconclusive = (await h.events()).at(-1)!;
    expect(inconclusive.message).toBe(`inconclusive: no data in this batch: ${down}`);
    expect(inconclusive.data).toMatchObject({ source: 'prometheus', noDataReason: down });
    h.tick(60);
    await h.input({
      type: 'verdict',
      t: 120,
      batch: undefined,
      verdict: verdict('inconclusive'),
      windowFrom: h.at(),
      noDataReason: down,
      source: 'prometheus',
    });
    expect(h.snapshot.state).toBe('paused');
    expect(h.snapshot.pauseReason).toBe(
      `metrics unavailable: no data for 120 s (limit 120 s). Last error: ${down}`,
    );
  });

  it("the judge's own no-data pause is marked metrics-unavailable and names the error", async () => {
    const h = await atCanary();
    h.tick(130);
    await h.input({
      type: 'verdict',
      t: 130,
      batch: undefined,
      verdict: verdict('pause', 'No fresh metrics for 130s (limit 120s): pausing.'),
      windowFrom: h.at(),
      noDataReason: 'no requests for web/production in the window',
    });
    expect(h.snapshot.pauseReason).toBe(
      'No fresh metrics for 130s (limit 120s): pausing. Last error: no requests for web/production in the window',
    );
    const paused = (await h.events()).at(-1)!;
    expect(paused.type).toBe('rollout.paused');
    expect(paused.data).toMatchObject({ metricsUnavailable: true });
  });

  it('data coming back resets the no-data clock', async () => {
    const h = await atCanary();
    h.tick(100);
    await h.input({
      type: 'verdict',
      t: 100,
      batch: undefined,
      verdict: verdict('inconclusive'),
      windowFrom: h.at(),
    });
    h.tick(10);
    await h.input({
      type: 'verdict',
      t: 110,
      batch: batch(5),
      verdict: verdict('continue'),
      windowFrom: h.at(),
    });
    expect(h.snapshot.steps[3]!.detail!.noDataSince).toBeUndefined();
  });

  it('halt rolls back and pages', async () => {
    const h = await atCanary();
    await h.input({
      type: 'verdict',
      t: 10,
      batch: batch(5),
      verdict: verdict('halt', 'sample ratio mismatch'),
      windowFrom: h.at(),
    });
    expect(h.snapshot.state).toBe('rolling_back');
    expect(h.last.outbox).toMatchObject([{ eventType: 'rollout.halted', route: 'page' }]);
  });

  it('a judge pause pauses with the judge reason', async () => {
    const h = await atCanary();
    await h.input({
      type: 'verdict',
      t: 10,
      batch: batch(5),
      verdict: verdict('pause', 'error rate 0.3 % above baseline'),
      windowFrom: h.at(),
    });
    expect(h.snapshot).toMatchObject({
      state: 'paused',
      pauseReason: 'error rate 0.3 % above baseline',
    });
    expect(h.last.outbox.map((m) => m.eventType)).toEqual(['rollout.paused']);
  });

  it('a failed check rolls back; a failed rollback fails loudly to notify and page', async () => {
    const h = await MachineHarness.create(minorPlan());
    await h.input({ type: 'start' });
    await h.input({ type: 'step_started' });
    await h.input({
      type: 'checks_done',
      results: [{ name: 'health', ok: false, durationMs: 1, message: 'HTTP 503' }],
    });
    expect(h.snapshot.state).toBe('rolling_back');
    await h.input({ type: 'rollback_failed', error: 'deployer: ssh timeout' });
    expect(h.snapshot.state).toBe('failed');
    expect(h.last.events[0]!.message).toMatch(/^ROLLBACK FAILED: payments in production/);
    expect(h.last.outbox.map((m) => `${m.eventType}@${m.route}`)).toEqual([
      'rollout.failed@notify',
      'rollout.failed@page',
    ]);
  });

  it('an approval step pauses until a person approves', async () => {
    const h = await MachineHarness.create(majorPlan());
    await h.input({ type: 'start' });
    // jump to the approval step (index 5)
    for (let i = 0; i < 5; i += 1) await h.promote('@ops');
    await h.input({ type: 'step_started' });
    expect(h.snapshot.state).toBe('paused');
    expect(h.snapshot.pauseReason).toBe(
      "awaiting approval for 'go-to-50' (approvers: @release-managers)",
    );
    await h.command('resume', '@rm');
    expect(h.snapshot).toMatchObject({ state: 'running', stepIndex: 6 });
    expect(h.snapshot.steps[5]).toMatchObject({
      state: 'succeeded',
      detail: { approvedBy: '@rm' },
    });
  });

  it('the watch rolls back on a hard gate, after its duration', async () => {
    const h = await MachineHarness.create(minorPlan());
    await h.input({ type: 'start' });
    for (let i = 0; i < 8; i += 1) await h.promote('@ops');
    await h.input({ type: 'step_started' });
    expect(h.snapshot.plan.steps[h.snapshot.stepIndex]!.kind).toBe('watch');
    const hot = { ...healthyArm(), gauges: { memory: 0.9 } };
    await h.input({ type: 'watch_sample', t: 10, arm: hot, windowFrom: h.at() });
    expect(h.snapshot.state).toBe('running');
    h.tick(300);
    await h.input({ type: 'watch_sample', t: 310, arm: hot, windowFrom: h.at() });
    expect(h.snapshot.state).toBe('rolling_back');
    expect((await h.events()).find((e) => e.type === 'rollback.started')!.data).toMatchObject({
      trigger: 'watch',
      decidedBy: 'memory',
    });
  });

  it('a 5xx on a critical endpoint during the watch rolls back at once', async () => {
    const h = await MachineHarness.create(minorPlan());
    await h.input({ type: 'start' });
    for (let i = 0; i < 8; i += 1) await h.promote('@ops');
    await h.input({ type: 'step_started' });
    const arm = {
      ...healthyArm(),
      endpoints: { '/v1/payment/process': { requests: 50, errors: 1 } },
    };
    await h.input({ type: 'watch_sample', t: 10, arm, windowFrom: h.at() });
    expect(h.snapshot.state).toBe('rolling_back');
  });
});
