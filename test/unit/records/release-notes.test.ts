import { describe, expect, it } from 'vitest';
import { buildReleaseNotes, parseCommit } from '../../../src/core/records/release-notes.js';
import { expectGolden } from './golden.js';

const COMMITS = [
  { hash: 'a1b2c3d4e5f6', subject: 'feat(checkout): one-click payment for saved cards' },
  {
    hash: 'b2c3d4e5f6a7',
    subject: 'feat(api)!: drop the v0 payment endpoint',
    body: 'The v0 endpoint served 0.1 % of traffic.\n\nBREAKING CHANGE: clients calling /v0/pay must move to\n/v1/payment/process before upgrading.\nRefs: #412',
  },
  { hash: 'c3d4e5f6a7b8', subject: 'fix: retry the gateway once on a TLS handshake timeout' },
  { hash: 'd4e5f6a7b8c9', subject: 'fix(db): close idle connections after 30 s' },
  { hash: 'e5f6a7b8c9d0', subject: 'perf(search): cache the fee table' },
  {
    hash: 'f6a7b8c9d0e1',
    subject: 'refactor(config): read settings once',
    body: 'BREAKING-CHANGE: PAYMENTS_TIMEOUT is now in seconds, not milliseconds',
  },
  { hash: 'a7b8c9d0e1f2', subject: 'chore(deps): bump undici' },
  { hash: 'b8c9d0e1f2a3', subject: 'Merge branch main' },
];

describe('release notes (seed 002)', () => {
  it('parses Conventional Commits, breaking markers and multi-line footers', () => {
    expect(parseCommit(COMMITS[1] as (typeof COMMITS)[number])).toEqual({
      hash: 'b2c3d4e5f6a7',
      type: 'feat',
      scope: 'api',
      breaking: true,
      description: 'drop the v0 payment endpoint',
      breakingNotes: ['clients calling /v0/pay must move to /v1/payment/process before upgrading.'],
      conventional: true,
    });
    expect(parseCommit({ subject: 'feat!: new auth' }).breakingNotes).toEqual(['new auth']);
    expect(parseCommit({ subject: 'Merge branch main' })).toMatchObject({
      type: 'other',
      conventional: false,
    });
    expect(parseCommit({ subject: 'fix(ui):missing space' }).conventional).toBe(false);
  });

  it('renders the template with migration steps and known issues', () => {
    const notes = buildReleaseNotes({
      service: 'payments',
      version: 'v3.0.0',
      previousVersion: 'v2.5.0',
      date: '2026-03-20',
      commits: COMMITS,
      knownIssues: ['Refund export is slow for merchants with more than 10,000 refunds (#430)'],
    });
    expect(notes.breaking.map((c) => c.hash)).toEqual(['b2c3d4e5f6a7', 'f6a7b8c9d0e1']);
    expect(notes.markdown).toContain(
      '- **Summary:** payments v3.0.0: 2 breaking changes, 1 feature, 2 fixes, 1 performance improvement, 2 other changes since v2.5.0.',
    );
    expectGolden('release-notes.md', notes.markdown);
  });

  it('says so when there is nothing to migrate', () => {
    const notes = buildReleaseNotes({
      service: 's',
      version: 'v1',
      date: '2026-01-01',
      commits: [],
    });
    expect(notes.markdown).toContain('## Migration steps\n\nNone.');
    expect(notes.markdown).toContain('No changes.');
  });
});
