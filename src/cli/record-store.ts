import { openStore } from '../app/store-registry.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { PostMortemStore } from '../ports/post-mortem-store.js';
import type { Store } from '../ports/store.js';
import type { CliIo } from './cli-io.js';

export type RecordStore = Store & PostMortemStore;

/** The `--store` option's help text, shared by the record commands. */
export const STORE_OPTION_HELP =
  'store: a SQLite path or file: URL, or a postgres:// URL (default: $ROLLGATE_STORE or .rollgate/rollgate.db)';

/**
 * Opens the store a record command reads (`--store`, else $ROLLGATE_STORE, else the
 * default file), runs `fn` and closes it, even when `fn` throws.
 */
export async function withRecordStore<T>(
  spec: string | undefined,
  io: CliIo,
  fn: (store: RecordStore) => Promise<T>,
): Promise<T> {
  const store = await openStore(spec ?? io.env.ROLLGATE_STORE, { cwd: io.cwd });
  if (!keepsPostMortems(store)) {
    await store.close();
    throw new RollgateError('invalid_input', 'this store backend keeps no post-mortems', {
      hint: 'use a SQLite file or a postgres:// URL as --store',
    });
  }
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function keepsPostMortems(store: Store): store is RecordStore {
  return typeof (store as Partial<PostMortemStore>).listPostMortems === 'function';
}

/** The time the record commands stamp and compare with (the CLI's clock). */
export function cliNow(): string {
  return new Date().toISOString();
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
