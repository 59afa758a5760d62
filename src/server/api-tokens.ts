import { RollgateError } from '../core/errors/rollgate-error.js';
import type { Store } from '../ports/store.js';
import type { ApiTokenRecord, TokenRole, TokenStore } from '../ports/token-store.js';
import { hashSecret, newTokenParts } from './token-secrets.js';

export type TokenStoreOf = Store & TokenStore;

/** The store's token half, or a clear error for a store that keeps none. */
export function tokenStoreOf(store: Store): TokenStoreOf {
  if (typeof (store as Partial<TokenStore>).getToken !== 'function') {
    throw new RollgateError('invalid_input', 'this store backend keeps no API tokens', {
      hint: 'use a SQLite file or a postgres:// URL as --store',
    });
  }
  return store as TokenStoreOf;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A token without its hash: what lists and answers show. */
export type TokenInfo = Omit<ApiTokenRecord, 'hash'>;

export function tokenInfo(t: ApiTokenRecord): TokenInfo {
  const { hash: _hash, ...info } = t;
  return info;
}

/**
 * Creates a token (`rollgate token create`, `POST /tokens`): returns the token text,
 * shown once; the store keeps only its scrypt hash.
 */
export async function createApiToken(
  store: TokenStore,
  input: { name: string; role: TokenRole; createdBy: string; now: string },
): Promise<{ token: string; record: TokenInfo }> {
  const name = input.name.startsWith('@') ? input.name.slice(1) : input.name;
  if (!NAME.test(name)) {
    throw new RollgateError('invalid_input', `bad token name "${input.name}"`, {
      hint: 'name it after who holds it (letters, digits, . _ -): its commands are signed @NAME',
    });
  }
  const parts = newTokenParts();
  const record: ApiTokenRecord = {
    id: parts.id,
    name,
    role: input.role,
    hash: await hashSecret(parts.secret),
    createdAt: input.now,
    createdBy: input.createdBy,
  };
  await store.createToken(record);
  return { token: parts.token, record: tokenInfo(record) };
}
