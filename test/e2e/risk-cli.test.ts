import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Risk } from '../../src/core/risk/risk-types.js';
import { runRollgate } from '../helpers/rollgate-cli.js';

// `rollgate risk add|list|update|show` as a user runs it: node bin/rollgate.js with the
// store in ROLLGATE_STORE (a SQLite file the first command creates).
let dir: string;

const rollgate = (...args: string[]) =>
  runRollgate(args, { cwd: dir, env: { USER: 'alex', ROLLGATE_STORE: join(dir, 'store.db') } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-risk-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('rollgate risk', () => {
  it('adds, lists, updates and shows risks with their history', () => {
    const add = rollgate(
      'risk',
      'add',
      '--title',
      'Gateway certificate expires unnoticed',
      '--likelihood',
      'medium',
      '--impact',
      'high',
      '--owner',
      '@sre',
      '--service',
      'payments',
      '--service',
      'checkout',
    );
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(
      /^added RISK-1: Gateway certificate expires unnoticed \(review by \d{4}-\d{2}-\d{2}\)\n$/,
    );
    expect(
      rollgate(
        'risk',
        'add',
        '--title',
        'Search drift',
        '--likelihood',
        'low',
        '--impact',
        'low',
        '--owner',
        '@search',
        '--service',
        'search',
      ).code,
    ).toBe(0);

    const list = rollgate('risk', 'list', '--json');
    expect(list.code).toBe(0);
    const risks = JSON.parse(list.stdout) as Risk[];
    expect(risks.map((r) => [r.id, r.services])).toEqual([
      ['RISK-1', ['checkout', 'payments']],
      ['RISK-2', ['search']],
    ]);
    expect(risks[0]?.history[0]).toMatchObject({ kind: 'created', actor: '@alex' });

    const byService = rollgate('risk', 'list', '--service', 'search');
    expect(byService.stdout).toContain('RISK-2');
    expect(byService.stdout).not.toContain('RISK-1');
    expect(byService.stdout.split('\n')[0]).toMatch(/^ID\s+SCORE\s+LIKELIHOOD\s+IMPACT\s+STATUS/);

    const upd = rollgate('risk', 'update', 'RISK-1', '--status', 'mitigating', '--owner', '@dana');
    expect(upd.code).toBe(0);
    expect(upd.stdout).toBe(
      'updated RISK-1: owner "@sre" → "@dana"; status "open" → "mitigating"\n',
    );

    const show = rollgate('risk', 'show', 'RISK-1');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('status     mitigating');
    expect(show.stdout).toContain('owner      @dana');
    expect(show.stdout).toMatch(/@alex\s+updated\s+owner "@sre" → "@dana"/);
  });

  it('refuses bad input with exit 2: what, where and what to do, no stack trace', () => {
    const cases: [string[], string, string][] = [
      [
        [
          'risk',
          'add',
          '--title',
          'x',
          '--likelihood',
          'huge',
          '--impact',
          'low',
          '--owner',
          '@a',
          '--service',
          'a',
        ],
        'risk add: likelihood "huge" is not one of low, medium, high',
        'hint: use --likelihood low|medium|high',
      ],
      [
        ['risk', 'add', '--title', 'x'],
        'risk add: missing --likelihood, --impact, --owner, --service',
        'hint: e.g. rollgate risk add',
      ],
      [
        [
          'risk',
          'add',
          '--title',
          'x',
          '--likelihood',
          'low',
          '--impact',
          'low',
          '--owner',
          'alex',
          '--service',
          'a',
        ],
        'risk add: owner "alex" is not an @name',
        'hint: use --owner',
      ],
      [
        ['risk', 'update', 'RISK-1', '--review', '31/12/2026'],
        'risk update RISK-1: review "31/12/2026" is not a date',
        'YYYY-MM-DD',
      ],
      [
        ['risk', 'update', 'RISK-1'],
        'risk update RISK-1: nothing to change',
        'hint: pass at least one of',
      ],
    ];
    for (const [args, message, hint] of cases) {
      const run = rollgate(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain(hint);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = rollgate('risk', 'show', 'RISK-9');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no risk RISK-9');
    expect(missing.stderr).toContain('rollgate risk list');
  });
});
