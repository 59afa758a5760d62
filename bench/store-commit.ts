/**
 * Store benchmark: latency of one rollout transition (guarded update + 2 events + 1 outbox
 * message in one transaction) on SQLite and on a real PostgreSQL, then how long the
 * PostgreSQL store takes to report store_unavailable once its server is gone (default
 * retry policy).
 *
 * Reproduce:  npx tsx bench/store-commit.ts [commits=400]
 * Bounded: one rollout per 20 commits, sequential, loopback only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBackend } from '../src/adapters/store/postgres/postgres-backend.js';
import { SqlStore } from '../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../src/adapters/store/sqlite/sqlite-backend.js';
import type { Store } from '../src/ports/store.js';
import { advance, event, snapshot } from '../test/contracts/store-fixtures.js';
import { startPostgres } from '../test/helpers/postgres.js';

const total = Number(process.argv[2] ?? 400);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(name: string, store: Store): Promise<void> {
  await store.migrate();
  const times: number[] = [];
  const perRollout = 20;
  for (let r = 0; r * perRollout < total; r++) {
    let s = snapshot(`bench-${r}`, { service: `svc-${r}`, state: 'running' });
    await store.createRollout(s, []);
    for (let i = 0; i < perRollout && r * perRollout + i < total; i++) {
      const next = advance(s, 2, { weight: i });
      const started = performance.now();
      await store.commit({
        rolloutId: s.id,
        expected: { state: s.state, epoch: s.epoch },
        next,
        events: [event('step.progress', i, { i }), event('weight.set', i, { weight: i })],
        outbox: [
          {
            idempotencyKey: `${s.id}-${i}`,
            rolloutId: s.id,
            route: 'slack',
            eventType: 'x',
            payload: { i },
          },
        ],
      });
      times.push(performance.now() - started);
      s = next;
    }
  }
  times.sort((a, b) => a - b);
  const sum = times.reduce((a, b) => a + b, 0);
  console.log(
    `${name}: ${times.length} commits, p50 ${pct(times, 50).toFixed(2)} ms, p99 ${pct(times, 99).toFixed(2)} ms, ${(times.length / (sum / 1000)).toFixed(0)} commits/s sequential`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'rollgate-bench-'));
try {
  const sqlite = new SqlStore(sqliteBackend(join(dir, 'bench.db')));
  await measure('sqlite (WAL, synchronous=FULL)', sqlite);
  await sqlite.close();

  const started = await startPostgres();
  if (!started.server) {
    console.log(`postgres: skipped (${started.skip})`);
  } else {
    const server = started.server;
    const pg = new SqlStore(postgresBackend(await server.createDatabase('bench')));
    await measure('postgres (fsync=off test server)', pg);
    await server.stop();
    const begun = performance.now();
    const err = await pg.getRollout('bench-0').catch((e: unknown) => e as Error);
    console.log(
      `postgres down: ${(err as { code?: string }).code} after ${(performance.now() - begun).toFixed(0)} ms: ${(err as Error).message}`,
    );
    await pg.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
