import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinMetricSource } from '../../src/adapters/metrics/builtin/builtin-metric-source.js';
import { BuiltinRouterAdapter } from '../../src/adapters/routers/builtin/builtin-router-adapter.js';
import { type DemoStack, startDemoStack } from '../../src/demo/demo-stack.js';
import { runLoad } from '../../src/demo/load-generator.js';

// What `rollgate demo` will wire: the stack (three processes), the two adapters and load.
// The canary's default fault (3 % errors on /v1/payment/process) must show in the canary's
// measurements, on that endpoint only, and not in the baseline's.
describe('demo stack', () => {
  let stack: DemoStack | undefined;
  beforeAll(async () => {
    stack = await startDemoStack({
      canaryFaults: { errorRate: { endpoint: '/v1/payment/process', rate: 0.2, status: 503 } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('measures the canary fault per endpoint through the MetricSource', async () => {
    const s = stack as DemoStack;
    const target = { service: 'demo', environment: 'local' };
    const router = new BuiltinRouterAdapter({ adminUrl: s.adminUrl });
    const metrics = new BuiltinMetricSource({ adminUrl: s.adminUrl });
    expect(await router.getWeight(target)).toBe(0);
    await router.setWeight(target, 50);
    const from = Date.now();
    const report = await runLoad({ url: s.url, rate: 300, count: 900, users: 300 });
    const read = await metrics.read(target, { from, to: Date.now() + 1 });
    if (!read.ok) throw new Error(read.reason);
    const { baseline, canary } = read.batch;
    expect(baseline.requests + canary.requests).toBe(report.sent);
    expect(baseline.errors + canary.errors).toBe(report.failed);
    expect(baseline.errors).toBe(0);
    expect(canary.errors).toBeGreaterThan(0);
    expect(canary.endpoints?.['/v1/payment/process']?.errors).toBe(canary.errors);
    expect(canary.units).toBeGreaterThan(50);
    expect(canary.gauges?.memory).toBeGreaterThan(0);
    await router.setWeight(target, 0);
  });
});
