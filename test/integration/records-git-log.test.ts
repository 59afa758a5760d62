import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReleaseNotes } from '../../src/core/records/release-notes.js';
import { gitLog } from '../../src/records-io/git-log.js';

// A real git repository with real commits: the notes are built from `git log A..B`.
let dir: string;
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' });

function commit(message: string): void {
  writeFileSync(join(dir, 'file.txt'), message);
  git('add', 'file.txt');
  git('commit', '-q', '-m', message);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-git-'));
  git('init', '-q');
  commit('chore: initial');
  git('tag', 'v1.0.0');
  commit('feat(api): add refunds');
  commit(
    'fix: round fees half-up\n\nBREAKING CHANGE: fees are rounded half-up; reconcile reports\nbefore upgrading',
  );
  git('tag', 'v1.1.0');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('git log A..B for release notes', () => {
  it('reads subjects and bodies between two tags', async () => {
    const commits = await gitLog('v1.0.0', 'v1.1.0', dir);
    expect(commits.map((c) => c.subject)).toEqual([
      'fix: round fees half-up',
      'feat(api): add refunds',
    ]);
    expect(commits[0]?.body).toBe(
      'BREAKING CHANGE: fees are rounded half-up; reconcile reports\nbefore upgrading',
    );
    expect(commits[0]?.hash).toMatch(/^[0-9a-f]{40}$/);
    const notes = buildReleaseNotes({
      service: 'billing',
      version: 'v1.1.0',
      previousVersion: 'v1.0.0',
      date: '2026-03-20',
      commits,
    });
    expect(notes.markdown).toContain(
      '1. fees are rounded half-up; reconcile reports before upgrading',
    );
  });

  it('says what went wrong for an unknown revision, and refuses option-like refs', async () => {
    await expect(gitLog('v0.0.1', 'v1.1.0', dir)).rejects.toThrow(/git log v0.0.1..v1.1.0 failed/);
    await expect(gitLog('--output=/tmp/x', 'v1.1.0', dir)).rejects.toThrow(/is not a git revision/);
  });
});
