import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoService, startDemoService } from '../../src/demo/demo-service.js';
import { spawnDemoService } from '../../src/demo/demo-service-process.js';
import { runLoad } from '../../src/demo/load-generator.js';

const fast = { '/v1/health': 0, '/v1/contacts': 0, '/v1/jobs': 0, '/v1/payment/process': 0 };

describe('demo service', () => {
  let service: DemoService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  it('serves the seeds endpoints and reports its version and memory gauge', async () => {
    service = await startDemoService({ version: 'v2.1.0', latencyMs: fast });
    for (const path of ['/v1/health', '/v1/contacts', '/v1/jobs', '/v1/payment/process']) {
      const res = await request(`${service.url}${path}`, { method: 'POST', body: '{}' });
      await res.body.dump();
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['x-demo-version']).toBe('v2.1.0');
      expect(Number(res.headers['x-rollgate-gauge-memory'])).toBeCloseTo(0.35, 2);
    }
    const missing = await request(`${service.url}/v1/nope`);
    await missing.body.dump();
    expect(missing.statusCode).toBe(404);
  });

  it('fails about 3 % of payments with the default error fault, and nothing else', async () => {
    service = await startDemoService({ version: 'c', latencyMs: fast, faults: { errorRate: {} } });
    const failedPaths = new Set<string>();
    let payments = 0;
    const report = await runLoad({
      url: service.url,
      rate: 1000,
      count: 3000,
      users: 0,
      onResponse: (r) => {
        if (r.path === '/v1/payment/process') payments++;
        if (!r.ok) failedPaths.add(r.path);
      },
    });
    expect(report.sent + report.dropped).toBe(3000);
    expect([...failedPaths]).toEqual(['/v1/payment/process']);
    // 3 % of the payments (binomial, 4.5 sigma).
    const expected = payments * 0.03;
    expect(Math.abs(report.failed - expected)).toBeLessThan(4.5 * Math.sqrt(expected * 0.97));
    expect(Object.keys(report.byStatus).sort()).toEqual(['200', '503']);
  });

  it('shifts latency and fattens the tail when told', async () => {
    service = await startDemoService({
      version: 'c',
      latencyMs: fast,
      faults: { latencyShiftMs: 40, tailLatency: { probability: 1, ms: 60 } },
    });
    const seconds: number[] = [];
    await runLoad({
      url: service.url,
      rate: 200,
      count: 40,
      users: 0,
      onResponse: (r) => seconds.push(r.seconds),
    });
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(0.095);
  });

  it('grows its memory gauge under the memory fault', async () => {
    service = await startDemoService({
      version: 'c',
      faults: { memoryGrowth: { bytesPerSecond: 100 * 1024 * 1024 } },
    });
    const before = service.memoryGauge();
    await new Promise((r) => setTimeout(r, 500));
    expect(service.memoryGauge()).toBeGreaterThan(before + 0.05);
  });

  it('crashes as a process with exit code 70 after the configured requests', async () => {
    const proc = await spawnDemoService({
      version: 'c',
      latencyMs: fast,
      faults: { crash: { afterRequests: 2 } },
    });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await request(`${proc.url}/v1/health`);
        await res.body.dump();
        expect(res.statusCode).toBe(200);
      }
      await expect(request(`${proc.url}/v1/health`)).rejects.toThrow();
      expect(await proc.exited).toBe(70);
    } finally {
      await proc.stop();
    }
  });

  it('rejects invalid fault options with a clear message', async () => {
    await expect(
      startDemoService({ version: 'c', faults: { errorRate: { rate: 3 } } }),
    ).rejects.toThrow(/faults.errorRate.rate/);
  });
});

describe('load generator', () => {
  it('sends exactly the bounded count at the set rate, with user keys', async () => {
    const service = await startDemoService({ version: 'v', latencyMs: fast });
    try {
      const units = new Set<string>();
      const report = await runLoad({
        url: service.url,
        rate: 400,
        count: 200,
        users: 20,
        onResponse: (r) => {
          if (r.unit !== undefined) units.add(r.unit);
        },
      });
      expect([report.sent, report.succeeded, report.failed, report.dropped]).toEqual([
        200, 200, 0, 0,
      ]);
      expect(units.size).toBeGreaterThan(10);
      expect(units.size).toBeLessThanOrEqual(20);
      // Open loop: 200 requests at 400/s take about half a second, not as fast as possible.
      expect(report.durationMs).toBeGreaterThan(400);
    } finally {
      await service.close();
    }
  });

  it('counts refused connections as failures instead of throwing', async () => {
    const service = await startDemoService({ version: 'v', latencyMs: fast });
    const url = service.url;
    await service.close();
    const report = await runLoad({ url, rate: 100, count: 10, timeoutMs: 1000 });
    expect([report.sent, report.failed]).toEqual([10, 10]);
    expect(report.byStatus['0']).toBe(10);
  });
});
