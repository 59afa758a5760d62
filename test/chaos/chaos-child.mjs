/**
 * The controller the crash test kills: node test/chaos/chaos-child.mjs STORE POLICY RECEIVER STOPFILE
 *
 * Built through the composition root (dist/app.js, compiled by the e2e global setup) like
 * `rollgate controller`, with the policy's router, metric source, deployer and checks
 * replaced by in-process stand-ins (the ports are not under test here; the engine and the
 * store are) and one notifier that POSTs every outbox message to the test's HTTP receiver
 * with its idempotency key. Starts release after release of `shop` (one at a time) until
 * STOPFILE exists, then finishes the one in flight, drains the outbox, prints "done".
 * Prints "ready" once the store is open. Holds leases as a controller with a stable id
 * (`rollgate controller --id NAME`) would, so a restarted child takes its rollouts back at once.
 */
import { existsSync } from 'node:fs';
import { runController } from '../../dist/app/run-controller.js';
import { createApp } from '../../dist/app.js';
import { loadPolicyFile } from '../../dist/config/policy-file.js';
import { resolvePlan } from '../../dist/core/plan/resolve-plan.js';

const [spec, policyFile, receiver, stopFile] = process.argv.slice(2);
const policy = await loadPolicyFile({ cwd: process.cwd(), file: policyFile });
const plan = resolvePlan(policy, { releaseType: 'minor', service: 'shop' });

let weight = 0;
const arm = (requests) => ({
  requests,
  errors: Math.floor(requests / 100),
  latency: {
    0.1: Math.round(requests * 0.9),
    0.5: Math.round(requests * 0.99),
    '+Inf': requests,
  },
});
const providers = {
  routers: {
    builtin: () => ({
      name: 'chaos-router',
      async setWeight(_target, w) {
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
      async read(_target, window) {
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
      async run() {
        return { name, ok: true, durationMs: 1, message: 'ok' };
      },
    }),
  },
};
const notifier = {
  name: 'chaos-receiver',
  async deliver(m, signal) {
    const res = await fetch(receiver, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey },
      body: JSON.stringify({ key: m.idempotencyKey, eventType: m.eventType, route: m.route }),
      signal,
    });
    await res.text();
    return res.ok ? { ok: true } : { ok: false, retryable: true, error: `HTTP ${res.status}` };
  },
};

const build = () =>
  createApp({
    policy,
    store: spec,
    providers,
    notifiers: { notify: notifier, page: notifier },
    lease: { owner: 'chaos-controller', ttlMs: 10_000 },
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
// Drain the outbox: every message delivered (or the test sees it pending).
for (let i = 0; i < 200; i++) {
  const due = await app.store.dueOutbox(new Date(Date.now() + 60_000).toISOString(), 1);
  if (due.length === 0) break;
  await app.outbox.deliverDue();
  await new Promise((r) => setTimeout(r, 50));
}
await app.close();
process.stdout.write('done\n');
