import { describe, expect, it, type TestContext } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import type { ApiTokenRecord, TokenStore } from '../../src/ports/token-store.js';
import type { StoreTarget } from './store-contract.js';
import { at } from './store-fixtures.js';
import { freshStore, rejection } from './store-harness.js';

type Both = Store & TokenStore;

const token = (id: string, seconds: number, role: ApiTokenRecord['role'] = 'viewer') => ({
  id,
  name: `user-${id}`,
  role,
  hash: `scrypt$16384$8$1$salt-${id}$hash-${id}`,
  createdAt: at(seconds),
  createdBy: '@admin',
});

/** The API-token half of the store (migration 5), on every backend that implements it. */
export function tokenStoreContract(name: string, target: StoreTarget): void {
  const fresh = (ctx: TestContext) => freshStore<Both>(ctx, target);

  describe(`TokenStore contract: ${name}`, () => {
    it('creates, reads back, lists oldest first and refuses a second token with the same id', async (ctx) => {
      const store = await fresh(ctx);
      expect(await store.countTokens()).toBe(0);
      await store.createToken(token('b2', 60, 'admin'));
      await store.createToken(token('a1', 0));
      expect(await store.getToken('a1')).toEqual(token('a1', 0));
      expect(await store.getToken('zz')).toBeUndefined();
      expect((await store.listTokens()).map((t) => t.id)).toEqual(['a1', 'b2']);
      expect((await rejection(store.createToken(token('a1', 5)))).code).toBe('conflict');
      expect(
        (await rejection(store.createToken({ ...token('c3', 5), role: 'root' as 'admin' }))).code,
      ).toBe('invalid_input');
      expect(await store.countTokens()).toBe(2);
    });

    it('revokes once (the first time stays), counts revoked tokens unless asked for active ones', async (ctx) => {
      const store = await fresh(ctx);
      await store.createToken(token('a1', 0));
      await store.createToken(token('b2', 1));
      await store.revokeToken('a1', at(100));
      await store.revokeToken('a1', at(200));
      expect((await store.getToken('a1'))?.revokedAt).toBe(at(100));
      expect(await store.countTokens()).toBe(2);
      expect(await store.countTokens({ activeOnly: true })).toBe(1);
      expect((await rejection(store.revokeToken('nope', at(1)))).code).toBe('not_found');
    });

    it('records the last use', async (ctx) => {
      const store = await fresh(ctx);
      await store.createToken(token('a1', 0));
      await store.touchToken('a1', at(30));
      await store.touchToken('a1', at(90));
      expect((await store.getToken('a1'))?.lastUsedAt).toBe(at(90));
    });
  });
}
