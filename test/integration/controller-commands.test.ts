import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProviderRegistry } from '../../src/app/provider-registry.js';
import { runController } from '../../src/app/run-controller.js';
import { type App, createApp } from '../../src/app.js';
import { CONTROLLER_SCAN_MS } from '../../src/cli/cli-app.js';
import { resolvePlan } from '../../src/core/plan/resolve-plan.js';
import {
  builtinLayer,
  compilePolicy,
  parsePolicyLayer,
} from '../../src/core/policy/compile-policy.js';
import type { Policy } from '../../src/core/policy/policy-types.js';

// A controller and a person's command in another process (two apps on one SQLite file):
// the command is only recorded by the sender, and the controller acts on it at once,
// not when its current wait (here a 60 s batch interval) ends.
const dir = mkdtempSync(join(tmpdir(), 'rollgate-controller-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadPolicy(): Policy {
  const layer = parsePolicyLayer(
    `version: 1
services:
  shop:
    router: { type: builtin, listen: "127.0.0.1:18080", stable: "http://127.0.0.1:19001", canary: "http://127.0.0.1:19002" }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: builtin }
releaseTypes:
  minor: { strategy: slow }
strategies:
  slow:
    - { type: deploy, target: canary }
    - { type: traffic, weight: 10%, hold: 10m, maxHold: 20m }
    - { type: traffic, weight: 100%, analysis: false }
`,
    'rollgate.yaml',
  );
  if (!layer.ok) throw new Error(JSON.stringify(layer.issues));
  const compiled = compilePolicy([builtinLayer(), layer.layer]);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return compiled.policy;
}

/** Providers that record what each process asked of them. */
function recording(calls: string[], state: { weight: number }): Partial<ProviderRegistry> {
  return {
    routers: {
      builtin: () => ({
        name: 'rec-router',
        setWeight: async (_t, w) => {
          calls.push(`weight ${w}`);
          state.weight = w;
        },
        getWeight: async () => state.weight,
      }),
    },
    metrics: {
      builtin: () => ({
        name: 'rec-metrics',
        read: async () => ({ ok: false, reason: 'no data in this test', retryable: true }),
      }),
    },
    deployers: {
      command: () => ({
        name: 'rec-deployer',
        deploy: async (r) => {
          calls.push(`deploy ${r.version} ${r.target}`);
          return { ok: true, message: '' };
        },
        rollback: async (r) => {
          calls.push(`rollback to ${r.previousVersion}`);
          return { ok: true, message: '' };
        },
      }),
    },
  };
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not within ${ms} ms`);
}

describe('rollgate controller and a command from another process', () => {
  it('abort from another process: the controller rolls back at once, the sender calls no port', async () => {
    const policy = loadPolicy();
    const store = join(dir, 'rollgate.db');
    const controllerCalls: string[] = [];
    const senderCalls: string[] = [];
    const router = { weight: 0 };
    const controller: App = await createApp({
      policy,
      store,
      providers: recording(controllerCalls, router),
      lease: { owner: 'controller', ttlMs: 30_000 },
      engine: { batchIntervalMs: 60_000, scanIntervalMs: CONTROLLER_SCAN_MS },
    });
    const sender: App = await createApp({
      policy,
      store,
      providers: recording(senderCalls, { weight: 0 }),
    });
    const stop = new AbortController();
    const running = runController(controller, { signal: stop.signal, pollMs: 100 });
    try {
      await sender.engine.stop(); // like the CLI: record only
      const s = await sender.engine.start({
        release: {
          id: 'rel-1',
          service: 'shop',
          version: 'v2',
          previousVersion: 'v1',
          type: 'minor',
          risk: 'medium',
          createdAt: new Date().toISOString(),
          createdBy: '@alice',
        },
        plan: resolvePlan(policy, { releaseType: 'minor', service: 'shop' }),
        actor: '@alice',
      });
      await until(async () => router.weight === 10, 10_000);
      // the weight is recorded and the controller's worker waits for its first batch (60 s)
      await until(
        async () =>
          (await sender.store.listEvents(s.id)).some(
            (e) => e.type === 'router.weight_set' && e.data.weight === 10,
          ),
        10_000,
      );
      await new Promise((r) => setTimeout(r, 500));
      const sent = Date.now();
      await sender.engine.command(s.id, 'abort', '@bob');
      await until(
        async () => (await sender.store.getRollout(s.id))?.state === 'rolled_back',
        3_000,
      );
      expect(Date.now() - sent).toBeLessThan(3_000);
      expect(router.weight).toBe(0);
      expect(controllerCalls).toEqual([
        'deploy v2 canary',
        'weight 10',
        'weight 0',
        'rollback to v1',
      ]);
      expect(senderCalls).toEqual([]);
    } finally {
      stop.abort();
      await running;
      await controller.close();
      await sender.close();
    }
  });
});
