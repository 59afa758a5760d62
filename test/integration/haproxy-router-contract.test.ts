import { describe, expect, it } from 'vitest';
import { HaproxyRouter } from '../../src/adapters/routers/haproxy/haproxy-router.js';
import { runtimeApiCommand } from '../../src/adapters/routers/haproxy/haproxy-runtime-api.js';
import { routerContract } from '../contracts/router-contract.js';
import { HAPROXY, startHaproxyStack } from '../helpers/haproxy-stack.js';
import { haveBinary } from '../helpers/real-servers.js';

const target = { service: 'demo', environment: 'test' };
const names = { backend: 'demo', stableServer: 'stable', canaryServer: 'canary' };

describe.skipIf(!haveBinary(HAPROXY))('HAProxy router (real haproxy)', () => {
  // Over the unix socket, as most installations expose the runtime API.
  routerContract('haproxy (unix socket)', async () => {
    const stack = await startHaproxyStack();
    return {
      router: new HaproxyRouter({ runtimeApi: stack.socket, ...names }),
      target,
      send: async (o) => (await stack.send(o ?? {})).version,
      close: () => stack.close(),
    };
  });

  it('works over TCP, detects weights changed behind its back, and always allows 0', async () => {
    const stack = await startHaproxyStack();
    try {
      const router = new HaproxyRouter({ runtimeApi: `127.0.0.1:${stack.tcpAdmin}`, ...names });
      await router.setWeight(target, 10);
      expect(await router.getWeight(target)).toBe(10);
      // Someone changes the canary weight by hand: 100 / (180 + 100).
      await runtimeApiCommand(stack.socket, 'set server demo/canary weight 100', {
        timeoutMs: 2_000,
      });
      expect(await router.getWeight(target)).toBe(35.71);
      const err = await router.setWeight(target, 25).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'conflict', details: { drift: true, expected: 10 } });
      expect(await router.getWeight(target)).toBe(35.71);
      // A rollback is never blocked by drift.
      await router.setWeight(target, 0);
      expect(await router.getWeight(target)).toBe(0);
      await router.setWeight(target, 5);
      expect(await router.getWeight(target)).toBe(5);
    } finally {
      await stack.close();
    }
  });

  it('names the server when the backend or server does not exist', async () => {
    const stack = await startHaproxyStack();
    try {
      const router = new HaproxyRouter({
        ...names,
        runtimeApi: stack.socket,
        canaryServer: 'nope',
      });
      const err = await router.setWeight(target, 10).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'provider_error' });
      expect((err as Error).message).toMatch(/demo\/nope/);
      const fractional = await new HaproxyRouter({ ...names, runtimeApi: stack.socket })
        .setWeight(target, 2.25)
        .catch((e: unknown) => e);
      expect(fractional).toMatchObject({ code: 'invalid_input' });
    } finally {
      await stack.close();
    }
  });

  it('a stopped HAProxy is a retryable provider error', async () => {
    const stack = await startHaproxyStack();
    const router = new HaproxyRouter({ runtimeApi: stack.socket, ...names, timeoutMs: 1_000 });
    await stack.close();
    const err = await router.getWeight(target).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_error', retryable: true });
  });
});
