import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import { main } from '../../src/cli/main.js';
import {
  type HistoryDriver,
  quickPatchDriver,
  rolledBackMajorDriver,
  successfulMinorDriver,
} from '../unit/records/record-history-fixture.js';

/** Replays the transitions of the REAL rollout machine (the records fixture) into a store. */
export async function replayInto(store: SqlStore, d: HistoryDriver): Promise<void> {
  const [first, ...rest] = d.transitions;
  if (!first) throw new Error('no transitions');
  await store.createRollout(first.tr.next, first.tr.events, first.tr.outbox);
  for (const { before, tr } of rest) {
    if (!before) throw new Error('no snapshot');
    await store.commit({
      rolloutId: before.id,
      expected: { state: before.state, epoch: before.epoch },
      next: tr.next,
      events: tr.events,
      outbox: tr.outbox,
    });
  }
}

/**
 * A real SQLite store file holding three rollouts of "payments": ro-230 (patch, success),
 * ro-240 (minor, success), ro-250 (major, rolled back).
 */
export async function seedRecordStore(path: string): Promise<void> {
  await seedSqlStore(new SqlStore(sqliteBackend(path)));
}

/** The same three rollouts into any SQL store (migrated here, closed after). */
export async function seedSqlStore(store: SqlStore): Promise<void> {
  await store.migrate();
  try {
    for (const d of [quickPatchDriver(), successfulMinorDriver(), rolledBackMajorDriver()])
      await replayInto(store, d);
  } finally {
    await store.close();
  }
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `rollgate ARGS` in-process with captured output. */
export async function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    cwd,
    env,
    isTTY: false,
  };
  const code = await main(args, io);
  return { code, out, err };
}
