import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/adapters/store/sqlite/sqlite-migrations.js';
import { openStore } from '../../src/app/store-registry.js';
import type { RolloutCommit } from '../../src/ports/store.js';
import { advance, event, snapshot } from '../contracts/store-fixtures.js';

// Several OS processes on one SQLite file: here the file lock and busy timeout do the
// serialising (the in-process write queue cannot), as with two rollgate commands at once.

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Child {
  process: ChildProcess;
  /** Resolves with each line the child prints, in order. */
  line(): Promise<string>;
}

function child(args: string[]): Child {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/helpers/store-child.ts', ...args],
    {
      cwd: process.cwd(),
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  children.push(proc);
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  let buffer = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const l = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const w = waiting.shift();
      if (w) w(l);
      else lines.push(l);
    }
  });
  return {
    process: proc,
    line: () => {
      const l = lines.shift();
      return l !== undefined ? Promise.resolve(l) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-procs-'));
  dirs.push(dir);
  return join(dir, 'rollgate.db');
}

describe('SQLite store shared by several processes', () => {
  it('three processes opening a new store at once: all succeed, migrations applied once', async () => {
    const file = tempFile();
    const procs = Array.from({ length: 3 }, () => child(['migrate', file]));
    expect(await Promise.all(procs.map((p) => p.line()))).toEqual(Array(3).fill('ready'));
    for (const p of procs) p.process.stdin?.write('go\n');
    const results = await Promise.all(procs.map((p) => p.line()));
    expect(results.map((r) => JSON.parse(r))).toEqual(Array(3).fill({ ok: true }));
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('select version from rollgate_migrations order by version').all();
    db.close();
    // Every migration exactly once, none twice.
    expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('three processes committing the same transition at once: exactly one wins, the rest conflict', async () => {
    const file = tempFile();
    const store = await openStore(file);
    const s0 = snapshot('ro', { state: 'running', lastSeq: 1 });
    await store.createRollout(s0, [event('created')]);
    const commit = (n: number): RolloutCommit => ({
      rolloutId: 'ro',
      expected: { state: 'running', epoch: 0 },
      next: advance(s0, 1, { weight: n }),
      events: [event(`writer.${n}`)],
    });
    const procs = [1, 2, 3].map((n) => child(['commit', file, JSON.stringify(commit(n))]));
    expect(await Promise.all(procs.map((p) => p.line()))).toEqual(Array(3).fill('ready'));
    for (const p of procs) p.process.stdin?.write('go\n');
    const results = (await Promise.all(procs.map((p) => p.line()))).map(
      (l) => JSON.parse(l) as { ok: boolean; code?: string },
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(['conflict', 'conflict']);
    const winner = results.findIndex((r) => r.ok) + 1;
    const events = await store.listEvents('ro');
    expect(events.map((e) => e.type)).toEqual(['created', `writer.${winner}`]);
    expect((await store.getRollout('ro'))?.weight).toBe(winner);
    await store.close();
  });
});
