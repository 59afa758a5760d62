import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterRouter } from '../../src/router/cluster-router.js';
import { type BuiltinStack, startClusterStack } from '../helpers/builtin-stack.js';

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('built-in router on cluster workers', () => {
  let stack: BuiltinStack<ClusterRouter> | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('replaces a dead worker, which starts with the weight in force', async () => {
    stack = await startClusterStack();
    await stack.router.setWeight(100);
    const [victim] = stack.router.workerPids;
    process.kill(victim as number, 'SIGKILL');
    const router = stack.router;
    await until(
      () => router.workerPids.length === 2 && !router.workerPids.includes(victim as number),
      30_000,
    );
    // Give the replacement a moment to take connections, then every request is canary.
    await new Promise((r) => setTimeout(r, 500));
    const versions = new Set<string>();
    for (let i = 0; i < 40; i++) versions.add((await stack.send({ unit: `u-${i}` })).version);
    expect(versions).toEqual(new Set(['canary']));
  });

  it('aggregates the workers metrics and reports the weight once', async () => {
    stack = await startClusterStack({ router: { weight: 30 } });
    for (let i = 0; i < 60; i++) await stack.send({ path: '/v1/jobs', unit: `m-${i}` });
    const res = await request(`${stack.router.adminUrl}/metrics`);
    const text = await res.body.text();
    const total = [
      ...text.matchAll(/rollgate_router_requests_total\{[^}]*route="\/v1\/jobs"[^}]*\} (\d+)/g),
    ]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
    expect(total).toBe(60);
    expect(text).toMatch(/rollgate_router_canary_weight_percent 30\n/);
    expect(text).toMatch(/rollgate_router_workers 2\n/);
    const units = [...text.matchAll(/rollgate_router_units\{version="(\w+)"\} (\d+)/g)].reduce(
      (a, m) => a + Number(m[2]),
      0,
    );
    expect(units).toBe(60);
  });
});
