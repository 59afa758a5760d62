/**
 * The controller the notification crash test kills:
 *   node test/chaos/notify-child.mjs STORE POLICY STOPFILE
 *
 * Built through the composition root (dist/app.js) with the policy's notification
 * channels: real notifier adapters (signed webhooks, Slack) delivering to the test's local
 * HTTP receivers, secrets from the environment. The router, metric source, deployer and
 * checks are in-process stand-ins; the smoke check fails for odd versions, so every other
 * release rolls back and opens an incident (with its escalation, cancelled once resolved).
 * Starts release after release until STOPFILE exists, then drains the outbox and the
 * incidents and prints "done". Prints "ready" once the store is open.
 */
import { existsSync } from 'node:fs';
import { runController } from '../../dist/app/run-controller.js';
import { createApp } from '../../dist/app.js';
import { loadPolicyFile } from '../../dist/config/policy-file.js';
import { resolvePlan } from '../../dist/core/plan/resolve-plan.js';

const [spec, policyFile, stopFile] = process.argv.slice(2);
const policy = await loadPolicyFile({ cwd: process.cwd(), file: policyFile });
const plan = resolvePlan(policy, { releaseType: 'minor', service: 'shop' });

let weight = 0;
const arm = (requests) => ({
  requests,
  errors: 0,
  latency: { 0.1: Math.round(requests * 0.9), 0.5: requests, '+Inf': requests },
});
const providers = {
  routers: {
    builtin: () => ({
      name: 'chaos-router',
      async setWeight(_t, w) {
        weight = w;
      },
      async getWeight() {
        return weight;
      },
    }),
  },
  metrics: {
    builtin: () => ({
      name: 'chaos-metrics',
      async read(_t, window) {
        const total = Math.max(1, Math.round(((window.to - window.from) / 1000) * 2000));
        const canary = Math.round((total * weight) / 100);
        return { ok: true, batch: { baseline: arm(total - canary), canary: arm(canary) } };
      },
    }),
  },
  deployers: {
    command: () => ({
      name: 'chaos-deployer',
      async deploy(r) {
        return { ok: true, message: `${r.version} on ${r.target}` };
      },
      async rollback(r) {
        return { ok: true, message: `back to ${r.previousVersion}` };
      },
    }),
  },
  checks: {
    http: (name) => ({
      name,
      async run(ctx) {
        const n = Number(String(ctx.version).slice(1));
        const ok = !(name === 'smoke' && n % 2 === 1);
        return { name, ok, durationMs: 1, message: ok ? 'ok' : 'HTTP 500 on /checkout' };
      },
    }),
  },
};

const build = () =>
  createApp({
    policy,
    store: spec,
    providers,
    lease: { owner: 'notify-chaos', ttlMs: 10_000 },
    engine: {
      batchIntervalMs: 200,
      scanIntervalMs: 100,
      errorBackoffMs: 100,
      retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 200, factor: 2 },
    },
    outbox: {
      pollIntervalMs: 50,
      retry: { attempts: 1000, initialDelayMs: 50, maxDelayMs: 200, factor: 2 },
    },
  });

const inFlight = ['pending', 'running', 'paused', 'rolling_back'];
let app = await build();
process.stdout.write('ready\n');
for (;;) {
  const all = await app.store.listRollouts({ service: 'shop' });
  const current = all.find((r) => inFlight.includes(r.state));
  if (current?.state === 'paused') {
    process.stdout.write(`stuck: ${current.id} paused: ${current.pauseReason}\n`);
    process.exit(2);
  }
  if (!current) {
    if (existsSync(stopFile)) break;
    const n = all.length + 1;
    const release = {
      id: `rel-${n}`,
      service: 'shop',
      version: `v${n}`,
      previousVersion: `v${n - 1}`,
      type: 'minor',
      risk: 'medium',
      createdAt: new Date().toISOString(),
      createdBy: '@chaos',
    };
    await app.engine.start({ release, plan, actor: '@chaos' });
  }
  await runController(app, {
    signal: new AbortController().signal,
    exitWhenIdle: true,
    pollMs: 50,
  });
  await app.close();
  app = await build();
}
// Drain: incidents reconciled, every message delivered or (an escalation) cancelled.
for (let i = 0; i < 400; i++) {
  await app.keeper.pass();
  await app.outbox.deliverDue();
  const pending = await app.store.listOutbox({ statuses: ['pending'] });
  const open = await app.store.listIncidents({ statuses: ['open', 'mitigated'] });
  if (pending.length === 0 && open.length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
await app.close();
process.stdout.write('done\n');
