import { describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/adapters/store/postgres/postgres-migrations.js';
import { SQLITE_MIGRATIONS } from '../../src/adapters/store/sqlite/sqlite-migrations.js';
import { IN_FLIGHT_STATES, ROLLOUT_STATES } from '../../src/core/rollout/rollout-types.js';
import type { SqlMigration } from '../../src/ports/sql-backend.js';

// The schema spells the rollout states out in SQL (a released migration never changes).
// If core adds or moves a state, this fails until a new migration updates the check
// constraint and the one-in-flight index on both backends.

function lastList(migrations: readonly SqlMigration[], pattern: RegExp): string[] | undefined {
  let found: string[] | undefined;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    for (const statement of m.statements) {
      const match = pattern.exec(statement);
      if (match?.[1]) found = [...match[1].matchAll(/'([^']+)'/g)].map((x) => x[1] as string);
    }
  }
  return found;
}

describe.each([
  ['SQLite', SQLITE_MIGRATIONS],
  ['PostgreSQL', POSTGRES_MIGRATIONS],
])('%s migrations', (_name, migrations) => {
  it('are numbered 1, 2, 3 … without gaps or repeats', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_m, i) => i + 1));
  });

  it('allow exactly the rollout states core knows', () => {
    expect(lastList(migrations, /state text not null check \(state in \(([^)]*)\)\)/)).toEqual([
      ...ROLLOUT_STATES,
    ]);
  });

  it('index exactly the in-flight states as one per service and environment', () => {
    expect(
      lastList(migrations, /rollgate_rollouts_one_in_flight[\s\S]*where state in \(([^)]*)\)/),
    ).toEqual([...IN_FLIGHT_STATES]);
  });
});

it('both backends are at the same schema version', () => {
  const latest = (ms: readonly SqlMigration[]) => Math.max(...ms.map((m) => m.version));
  expect(latest(SQLITE_MIGRATIONS)).toBe(latest(POSTGRES_MIGRATIONS));
});
