/**
 * What the chaos children (chaos-child.mjs, notify-child.mjs) share: a controller built
 * through the composition root (dist/app.js, compiled by the e2e global setup) with the
 * policy's router, metric source, deployer and checks replaced by in-process stand-ins,
 * that starts release after release of `shop` (one at a time) until STOPFILE exists, then
 * finishes the one in flight, drains (as the child says) and prints "done". Prints "ready"
 * once the store is open; exits 2 with "stuck: …" when a rollout pauses. Holds leases as a
 * controller with a stable id (`rollgate controller --id NAME`) would, so a restarted child
 * takes its rollouts back at once.
 */
import { existsSync } from 'node:fs';
import { runController } from '../../dist/app/run-controller.js';
import { createApp } from '../../dist/app.js';
import { loadPolicyFile } from '../../dist/config/policy-file.js';
import { resolvePlan } from '../../dist/core/plan/resolve-plan.js';

/**
 * @param {object} o
 * @param {string} o.spec the store
 * @param {string} o.policyFile
 * @param {string} o.stopFile
 * @param {string} o.owner the lease owner (the controller's stable id)
 * @param {(requests: number) => object} o.arm one arm's batch of `requests` requests
 * @param {(name: string, ctx: { version: string }) => { ok: boolean, message: string }} o.check
 * @param {Record<string, object>} [o.notifiers] notifiers by route, else the policy's
 * @param {(app: object) => Promise<void>} o.drain run once STOPFILE is seen, before "done"
 */
export async function runChaosController(o) {
  const policy = await loadPolicyFile({ cwd: process.cwd(), file: o.policyFile });
  const plan = resolvePlan(policy, { releaseType: 'minor', service: 'shop' });

  let weight = 0;
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
          return { ok: true, batch: { baseline: o.arm(total - canary), canary: o.arm(canary) } };
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
          return { name, durationMs: 1, ...o.check(name, ctx) };
        },
      }),
    },
  };

  const build = () =>
    createApp({
      policy,
      store: o.spec,
      providers,
      ...(o.notifiers ? { notifiers: o.notifiers } : {}),
      lease: { owner: o.owner, ttlMs: 10_000 },
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
      if (existsSync(o.stopFile)) break;
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
  await o.drain(app);
  await app.close();
  process.stdout.write('done\n');
}
