import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TO_FILL } from '../../src/core/records/post-mortem.js';
import { runRollgate } from '../helpers/rollgate-cli.js';
import { seedRecordStore } from '../integration/records-cli-fixture.js';

// `rollgate postmortem export ID > pm.md` as a user runs it: node bin/rollgate.js, stdout
// redirected to a file, the store named by ROLLGATE_STORE.
let dir: string;

const rollgate = (...args: string[]) =>
  runRollgate(args, { cwd: dir, env: { ROLLGATE_STORE: join(dir, 'store.db') } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-pm-'));
  await seedRecordStore(join(dir, 'store.db'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('rollgate postmortem export > pm.md, edit, complete', () => {
  it('exports the draft to stdout and reads the filled file back', () => {
    expect(rollgate('report', 'postmortem', 'ro-250', '--out', 'records').code).toBe(0);
    const exported = rollgate('postmortem', 'export', 'PM-ro-250');
    expect(exported.code).toBe(0);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toBe(readFileSync(join(dir, 'records/2026-03-12-v2.5.0.md'), 'utf8'));
    const fills: [string, string][] = [
      [`### What Happened?\n\n${TO_FILL}`, '### What Happened?\n\nNo TLS bundle.'],
      [
        `1. **Why did the deployment fail?** ${TO_FILL}`,
        '1. **Why did the deployment fail?** TLS.',
      ],
      [`**Root Cause**: ${TO_FILL}`, '**Root Cause**: the bundle was dropped.'],
      ['- [ ] No data loss confirmed', '- [x] No data loss confirmed'],
      [
        `| 1 | ${TO_FILL} | @owner | YYYY-MM-DD | Planned |  |`,
        '| 1 | Add a TLS preflight check | @alex | 2026-03-16 | Done | INFRA-12 |',
      ],
      [`### What Went Well?\n\n${TO_FILL}`, '### What Went Well?\n\nCaught at 5 %.'],
    ];
    writeFileSync(
      join(dir, 'pm.md'),
      fills.reduce((text, [from, to]) => text.replace(from, to), exported.stdout),
    );
    const done = rollgate('postmortem', 'complete', 'PM-ro-250', '--file', 'pm.md');
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('completed PM-ro-250: 1 action item recorded');
    const actions = rollgate('actions', 'list', '--json');
    expect(JSON.parse(actions.stdout)).toMatchObject([
      { postMortemId: 'PM-ro-250', owner: '@alex', status: 'done' },
    ]);
  });

  it('an unknown id is exit 2 on stderr, nothing on stdout', () => {
    const run = rollgate('postmortem', 'export', 'PM-nope');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('no post-mortem PM-nope');
  });
});
