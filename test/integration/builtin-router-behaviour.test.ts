import { createServer } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { BuiltinMetricSource } from '../../src/adapters/metrics/builtin/builtin-metric-source.js';
import { BuiltinRouterAdapter } from '../../src/adapters/routers/builtin/builtin-router-adapter.js';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import { BuiltinRouter } from '../../src/router/builtin-router.js';
import { spawnRouter } from '../../src/router/router-process.js';
import { type BuiltinStack, startBuiltinStack } from '../helpers/builtin-stack.js';

const target = { service: 'demo', environment: 'test' };

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('built-in router behaviour', () => {
  let stack: BuiltinStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('answers 504 when the upstream is slower than the headers timeout, and counts it', async () => {
    stack = await startBuiltinStack({ router: { weight: 100, timeouts: { headersMs: 150 } } });
    const from = Date.now();
    const res = await request(`${stack.router.url}/v1/jobs`, {
      headers: { 'x-demo-delay-ms': '1500' },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(504);
    expect(res.headers['x-rollgate-arm']).toBe('canary');
    const read = stack.router.read(from, Date.now() + 1);
    expect(read.ok && read.batch.canary.errors).toBe(1);
    const metrics = await stack.router.metricsText();
    expect(metrics).toMatch(/rollgate_router_errors_total\{[^}]*kind="timeout"[^}]*\} 1/);
  });

  it('answers 502 when a pool cannot be reached, counted against that version', async () => {
    stack = await startBuiltinStack();
    const port = await deadPort();
    const router = await BuiltinRouter.start({
      upstreams: { stable: [stack.stable.url], canary: [`http://127.0.0.1:${port}`] },
      weight: 100,
    });
    try {
      const from = Date.now();
      const res = await request(`${router.url}/v1/contacts`);
      const body = (await res.body.json()) as { error: { code: string } };
      expect(res.statusCode).toBe(502);
      expect(body.error.code).toBe('upstream_unavailable');
      const read = router.read(from, Date.now() + 1);
      expect(read.ok && [read.batch.canary.requests, read.batch.canary.errors]).toEqual([1, 1]);
    } finally {
      await router.close();
    }
  });

  it('counts a crashing canary as errors, and its users fall back to stable on rollback', async () => {
    stack = await startBuiltinStack({
      router: { weight: 100 },
      canary: { faults: { crash: { afterRequests: 3 } } },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(`${stack.router.url}/v1/health`);
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3).every((s) => s === 502)).toBe(true);
    stack.router.setWeight(0);
    expect((await stack.send()).version).toBe('stable');
  });

  it('drains on close: in-flight requests finish, new connections are refused', async () => {
    stack = await startBuiltinStack();
    const slow = request(`${stack.router.url}/v1/jobs`, { headers: { 'x-demo-delay-ms': '400' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(stack.router.inflightRequests).toBe(1);
    const closing = stack.router.close();
    const res = await slow;
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toHaveProperty('jobs');
    await closing;
    await expect(request(`${stack.router.url}/v1/health`)).rejects.toThrow();
  });

  it('cuts requests still running when the drain period ends', async () => {
    stack = await startBuiltinStack({ router: { drainMs: 200 } });
    const outcome = request(`${stack.router.url}/v1/jobs`, {
      headers: { 'x-demo-delay-ms': '3000' },
    })
      .then((r) => r.body.text())
      .then(
        () => 'completed',
        () => 'cut',
      );
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await stack.router.close();
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(await outcome).toBe('cut');
  });

  it('abandons the upstream request when the client goes away', async () => {
    stack = await startBuiltinStack();
    const outcome = request(`${stack.router.url}/v1/jobs`, {
      headers: { 'x-demo-delay-ms': '3000' },
      signal: AbortSignal.timeout(200),
    }).then(
      () => 'answered',
      () => 'aborted',
    );
    expect(await outcome).toBe('aborted');
    await new Promise((r) => setTimeout(r, 200));
    expect(stack.router.inflightRequests).toBe(0);
  });

  it('reads the unit key from a cookie when configured', async () => {
    stack = await startBuiltinStack({ router: { weight: 50, unit: { cookie: 'uid' } } });
    for (let u = 0; u < 20; u++) {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const r = await stack.send({ headers: { cookie: `theme=dark; uid=user-${u}` } });
        seen.add(r.version);
      }
      expect(seen.size, `user-${u}`).toBe(1);
    }
  });

  it('streams request bodies through (POST /v1/payment/process)', async () => {
    stack = await startBuiltinStack();
    const res = await request(`${stack.router.url}/v1/payment/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1299, pad: 'x'.repeat(200_000) }),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toHaveProperty('payment');
  });

  it('rejects an unknown override value with 400 and does not route it', async () => {
    stack = await startBuiltinStack();
    const res = await request(`${stack.router.url}/v1/health`, {
      headers: { 'x-rollgate-version': 'beta' },
    });
    const body = (await res.body.json()) as { error: { message: string } };
    expect(res.statusCode).toBe(400);
    expect(body.error.message).toMatch(/"canary" or "stable"/);
  });

  it('protects the admin API with a token when one is set, but not /metrics', async () => {
    stack = await startBuiltinStack({ router: { admin: { token: 's3cret' } } });
    const anonymous = new BuiltinRouterAdapter({ adminUrl: stack.router.adminUrl });
    const err = await anonymous.setWeight(target, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollgateError);
    expect((err as RollgateError).message).toMatch(/401/);
    const authed = new BuiltinRouterAdapter({ adminUrl: stack.router.adminUrl, token: 's3cret' });
    await authed.setWeight(target, 10);
    expect(await authed.getWeight(target)).toBe(10);
    const metrics = await request(`${stack.router.adminUrl}/metrics`);
    expect(metrics.statusCode).toBe(200);
    expect(await metrics.body.text()).toMatch(/rollgate_router_canary_weight_percent 10/);
  });

  it('reports the memory gauge the upstreams send, per version', async () => {
    stack = await startBuiltinStack({
      canary: { faults: { memoryGrowth: { bytesPerSecond: 200 * 1024 * 1024 } } },
    });
    await new Promise((r) => setTimeout(r, 600));
    const from = Date.now();
    stack.router.setWeight(0);
    for (let i = 0; i < 5; i++) await stack.send();
    stack.router.setWeight(100);
    for (let i = 0; i < 5; i++) await stack.send();
    const read = await new BuiltinMetricSource({ adminUrl: stack.router.adminUrl }).read(target, {
      from,
      to: Date.now() + 1,
    });
    if (!read.ok) throw new Error(read.reason);
    expect(read.batch.baseline.gauges?.memory).toBeCloseTo(0.35, 2);
    expect(read.batch.canary.gauges?.memory).toBeGreaterThan(0.5);
  });

  it('the metric source says "no data" when the router is unreachable', async () => {
    const port = await deadPort();
    const source = new BuiltinMetricSource({ adminUrl: `http://127.0.0.1:${port}` });
    const read = await source.read(target, { from: Date.now() - 60_000, to: Date.now() });
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.retryable).toBe(true);
      expect(read.reason).toMatch(/cannot reach/);
    }
    const router = new BuiltinRouterAdapter({ adminUrl: `http://127.0.0.1:${port}` });
    const err = await router.getWeight(target).catch((e: unknown) => e);
    expect((err as RollgateError).code).toBe('provider_error');
    expect((err as RollgateError).retryable).toBe(true);
  });

  it('refuses a bad config with a message naming the field, in process and as a process', async () => {
    const err = await BuiltinRouter.start({
      upstreams: { stable: ['ftp://nope'], canary: [] },
      weight: 120,
    } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollgateError);
    expect((err as RollgateError).code).toBe('invalid_input');
    expect((err as RollgateError).message).toMatch(/upstreams\.stable\.0/);
    expect((err as RollgateError).message).toMatch(/weight/);
    await expect(
      spawnRouter({ upstreams: { stable: ['http://127.0.0.1:1'], canary: [] } }),
    ).rejects.toThrow(/upstreams\.canary/);
  });
});
