import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { NginxRouter } from '../../src/adapters/routers/nginx/nginx-router.js';
import { routerContract } from '../contracts/router-contract.js';
import { NGINX, startNginxStack } from '../helpers/nginx-stack.js';
import { haveBinary } from '../helpers/real-servers.js';

const target = { service: 'demo', environment: 'test' };

describe.skipIf(!haveBinary(NGINX))('nginx router (real nginx)', () => {
  routerContract('nginx', async () => {
    const stack = await startNginxStack();
    return {
      router: new NginxRouter(stack.routerOptions),
      target,
      send: async (o) => (await stack.send(o ?? {})).version,
      // A reload starts new workers; the old ones finish their connections first.
      settleMs: 400,
      close: () => stack.close(),
    };
  });

  it('restores the previous file when nginx -t fails, and keeps serving the old split', async () => {
    const stack = await startNginxStack();
    try {
      const good = new NginxRouter(stack.routerOptions);
      await good.setWeight(target, 100);
      await new Promise((r) => setTimeout(r, 400));
      const before = await readFile(stack.routerOptions.configFile, 'utf8');
      // A hash key nginx does not know: the rendered file fails `nginx -t`.
      const bad = new NginxRouter({ ...stack.routerOptions, hashKey: '$no_such_variable' });
      const err = await bad.setWeight(target, 50).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'provider_error',
        details: { step: 'configuration test' },
      });
      expect((err as Error).message).toMatch(/no_such_variable/);
      expect(await readFile(stack.routerOptions.configFile, 'utf8')).toBe(before);
      expect(await good.getWeight(target)).toBe(100);
      expect((await stack.send({ unit: 'u-1' })).version).toBe('canary');
      // A reload that fails (nginx not running, no permission) restores the file too.
      const noReload = new NginxRouter({
        ...stack.routerOptions,
        reloadCommand: 'echo "nginx: [error] signal process failed" >&2; exit 1',
      });
      const failed = await noReload.setWeight(target, 30).catch((e: unknown) => e);
      expect(failed).toMatchObject({
        code: 'provider_error',
        retryable: true,
        details: { step: 'reload' },
      });
      expect((failed as Error).message).toMatch(/signal process failed/);
      expect(await readFile(stack.routerOptions.configFile, 'utf8')).toBe(before);
    } finally {
      await stack.close();
    }
  });

  it('detects a file edited behind its back, and always allows 0', async () => {
    const stack = await startNginxStack();
    try {
      const router = new NginxRouter(stack.routerOptions);
      await router.setWeight(target, 10);
      const file = stack.routerOptions.configFile;
      await writeFile(file, (await readFile(file, 'utf8')).replace('weight=20;', 'weight=60;'));
      expect(await router.getWeight(target)).toBe(25);
      const err = await router.setWeight(target, 20).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'conflict',
        details: { drift: true, expected: 10, actual: 25 },
      });
      await router.setWeight(target, 0);
      expect(await router.getWeight(target)).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
