import { expect, onTestFinished, type TestContext } from 'vitest';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import type { Store } from '../../src/ports/store.js';
import type { StoreTarget } from './store-contract.js';
import { event, snapshot } from './store-fixtures.js';

/** What the store refused `promise` with; fails the test if it was accepted. */
export async function rejection(promise: Promise<unknown>): Promise<RollgateError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(RollgateError);
    return err as RollgateError;
  }
  throw new Error('expected the store to refuse, but it accepted');
}

/** Rolled-back rollouts `ro-1`, `ro-2` (payments) and `ro-3` (search), for the records' foreign keys. */
export const ROLLED_BACK: readonly (readonly [id: string, service: string])[] = [
  ['ro-1', 'payments'],
  ['ro-2', 'payments'],
  ['ro-3', 'search'],
];

/**
 * One migrated store on a new database of `target`, closed and disposed when the test
 * ends (skips the test when the backend is not there), holding the `rollouts` given.
 * `T` names the ports beyond Store the backend implements.
 */
export async function freshStore<T extends Store>(
  ctx: TestContext,
  target: StoreTarget,
  rollouts: readonly (readonly [id: string, service: string])[] = [],
): Promise<T> {
  const t = target();
  if (typeof t === 'string') {
    ctx.skip(t);
    throw new Error('unreachable');
  }
  const database = await t.newDatabase();
  const store = database.open() as T;
  onTestFinished(async () => {
    await store.close().catch(() => undefined);
    await database.dispose();
  });
  await store.migrate();
  for (const [id, service] of rollouts) {
    await store.createRollout(snapshot(id, { service, state: 'rolled_back', lastSeq: 1 }), [
      event('rollout.created'),
    ]);
  }
  return store;
}
