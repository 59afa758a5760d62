import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinRouterAdapter } from '../../src/adapters/routers/builtin/builtin-router-adapter.js';
import { type DemoServiceProcess, spawnDemoService } from '../../src/demo/demo-service-process.js';
import { type LoadResponse, runLoad } from '../../src/demo/load-generator.js';
import { seededRandom } from '../../src/demo/seeded-random.js';
import { type RouterProcess, spawnRouter } from '../../src/router/router-process.js';

// Issue #5's "done when": under load, 100 weight changes and a rollback cause zero failed
// requests to the healthy version, and after the rollback every new request goes to stable.
// The router runs in its own process, as in production; once alone, once on two workers.
describe.each([1, 2])('built-in router under load (workers: %i)', (workers) => {
  let stable: DemoServiceProcess | undefined;
  let canary: DemoServiceProcess | undefined;
  let router: RouterProcess | undefined;

  beforeAll(async () => {
    stable = await spawnDemoService({ version: 'v1.0.0' });
    canary = await spawnDemoService({ version: 'v1.1.0', seed: 7 });
    router = await spawnRouter(
      { upstreams: { stable: [stable.url], canary: [canary.url] }, workers },
      60_000,
    );
  });

  afterAll(async () => {
    await router?.stop();
    await Promise.all([stable?.stop(), canary?.stop()]);
  });

  it('100 weight changes and a rollback fail no request', async () => {
    const r = router as RouterProcess;
    const adapter = new BuiltinRouterAdapter({ adminUrl: r.adminUrl });
    const target = { service: 'demo', environment: 'test' };
    const responses: LoadResponse[] = [];
    const stopLoad = new AbortController();
    const load = runLoad({
      url: r.url,
      rate: 250,
      durationMs: 90_000,
      users: 500,
      signal: stopLoad.signal,
      onResponse: (x) => responses.push(x),
    });
    const random = seededRandom(3);
    await new Promise((res) => setTimeout(res, 500));
    for (let i = 0; i < 100; i++) {
      await adapter.setWeight(target, Math.round(random() * 100));
      await new Promise((res) => setTimeout(res, 30));
    }
    await adapter.setWeight(target, 50);
    await new Promise((res) => setTimeout(res, 500));
    await adapter.setWeight(target, 0);
    const rolledBackAt = performance.now();
    await new Promise((res) => setTimeout(res, 1_500));
    stopLoad.abort();
    const report = await load;

    expect(report.failed, JSON.stringify(report.byStatus)).toBe(0);
    expect(report.dropped).toBe(0);
    expect(report.sent).toBeGreaterThan(1_000);
    expect(report.byArm.canary?.requests ?? 0).toBeGreaterThan(100);
    const after = responses.filter((x) => x.sentAt > rolledBackAt);
    expect(after.length).toBeGreaterThan(100);
    expect(after.filter((x) => x.arm !== 'stable' || x.version !== 'v1.0.0')).toEqual([]);
    expect(await adapter.getWeight(target)).toBe(0);
  });
});
