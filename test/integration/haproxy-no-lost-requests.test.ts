import { describe, expect, it } from 'vitest';
import { HaproxyRouter } from '../../src/adapters/routers/haproxy/haproxy-router.js';
import { startDemoService } from '../../src/demo/demo-service.js';
import { HAPROXY, startHaproxyStack } from '../helpers/haproxy-stack.js';
import { haveBinary, sleep } from '../helpers/real-servers.js';

// The settings docs/adapters/haproxy.md recommends (option redispatch, retry-on
// conn-failure empty-response) lose no idempotent request while rollgate moves the weight
// and the canary pool restarts (a deploy), connections cut mid-request included.
describe.skipIf(!haveBinary(HAPROXY))('HAProxy: no lost requests (real haproxy)', () => {
  it('weight changes and a canary restart under load: every GET answered', async () => {
    const stack = await startHaproxyStack();
    const target = { service: 'demo', environment: 'test' };
    const router = new HaproxyRouter({
      runtimeApi: stack.socket,
      backend: 'demo',
      stableServer: 'stable',
      canaryServer: 'canary',
    });
    let running = true;
    const counts = { ok: 0, failed: 0, stable: 0, canary: 0 };
    const failures: string[] = [];
    const client = async () => {
      while (running) {
        try {
          const r = await stack.send({ path: '/v1/contacts' });
          if (r.status >= 500) throw new Error(`HTTP ${r.status}`);
          counts.ok++;
          counts[r.version]++;
        } catch (err) {
          counts.failed++;
          if (failures.length < 5) failures.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: 16 }, client);
    try {
      for (const w of [10, 50]) {
        await router.setWeight(target, w);
        await sleep(300);
      }
      // Deploy: the canary process goes away (connections cut) and comes back on its port.
      const port = stack.upstreams.canary.port;
      await stack.upstreams.canary.close();
      await sleep(300);
      const fresh = await startDemoService({
        version: 'canary',
        port,
        latencyMs: { '/v1/contacts': 0 },
      });
      stack.upstreams.canary = fresh;
      await sleep(1_500);
      for (const w of [100, 0]) {
        await router.setWeight(target, w);
        await sleep(300);
      }
    } finally {
      running = false;
      await Promise.all(clients);
      const errors = stack.process
        .output()
        .split('\n')
        .filter((l) => / 50\d /.test(l));
      failures.push(...errors.slice(0, 5));
      await stack.close();
    }
    expect(failures, JSON.stringify(counts)).toEqual([]);
    expect(counts.failed).toBe(0);
    expect(counts.canary).toBeGreaterThan(50);
    expect(counts.stable).toBeGreaterThan(50);
  });
});
