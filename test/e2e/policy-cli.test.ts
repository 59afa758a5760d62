import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO, runRollgate } from '../helpers/rollgate-cli.js';

// The CLI as a user runs it: `node <repo>/bin/rollgate.js` in a fresh, empty directory.
let dir: string;

const rollgate = (...args: string[]) => runRollgate(args, { cwd: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-policy-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('rollgate init && rollgate validate && rollgate plan --type minor, in an empty directory', () => {
  it('init writes a commented rollgate.yaml', () => {
    const run = rollgate('init');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote rollgate.yaml');
    expect(readFileSync(join(dir, 'rollgate.yaml'), 'utf8')).toMatch(/^# rollgate policy/);
  });

  it('init refuses to overwrite without --force (exit 2), and overwrites with it', () => {
    writeFileSync(join(dir, 'rollgate.yaml'), '# mine\nversion: 1\n');
    const refused = rollgate('init');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists.*\n.*--force/);
    expect(readFileSync(join(dir, 'rollgate.yaml'), 'utf8')).toBe('# mine\nversion: 1\n');
    expect(rollgate('init', '--force').code).toBe(0);
    expect(readFileSync(join(dir, 'rollgate.yaml'), 'utf8')).toMatch(/^# rollgate policy/);
  });

  it('validate accepts the starter policy', () => {
    const run = rollgate('validate');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rollgate\.yaml: valid/);
  });

  it('plan --type minor shows the four stages of seed 002 and their holds', () => {
    const run = rollgate('plan', '--type', 'minor');
    expect(run.code).toBe(0);
    const stages = run.stdout
      .split('\n')
      .filter((line) => /\btraffic\b/.test(line))
      .map((line) =>
        line
          .trim()
          .split(/\s{2,}/)
          .slice(2, 6),
      );
    expect(stages).toEqual([
      ['traffic', '5%', '15m', '30m'],
      ['traffic', '25%', '30m', '1h'],
      ['traffic', '50%', '30m', '1h'],
      ['traffic', '100%', '0s', '0s'],
    ]);
    expect(run.stdout).toMatch(/expected duration: 1h15m of holds/);
    expect(run.stdout).toMatch(/error rate > 0\.1% above baseline → pause/);
  });

  it('plan --json prints the ResolvedPlan', () => {
    const run = rollgate('plan', '--type', 'minor', '--json');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan).toMatchObject({
      service: 'web',
      environment: 'production',
      releaseType: 'minor',
      expectedSeconds: 4500,
    });
    expect(
      plan.steps
        .filter((s: { kind: string }) => s.kind === 'traffic')
        .map((s: { weight: number }) => s.weight),
    ).toEqual([5, 25, 50, 100]);
    expect(plan.judge.gates.length).toBeGreaterThanOrEqual(7);
  });
});

describe('bad input: exit 2, every problem with file:line:column, never a stack trace', () => {
  it('validate reports every problem of a broken file', () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      `version: 1
services:
  web:
    router: { type: builtin, listen: "127.0.0.1:8080", stable: "http://a:1", canary: "http://b:2" }
    deployer: { type: command, deploy: ./d.sh, rollback: ./r.sh }
    metrics: { type: builtin }
strategies:
  minor:
    - { type: deploy, target: canary }
    - { type: traffic, weight: 25%, hodl: 15m }
    - { type: traffic, weight: 10%, hold: 15 }
`,
    );
    const run = rollgate('validate', 'broken.yaml');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('broken.yaml:10:37 strategies.minor[1].hodl: unknown key `hodl`');
    expect(run.stderr).toContain('hint: did you mean `hold`?');
    expect(run.stderr).toMatch(
      /broken\.yaml:11:32 strategies\.minor\[2\]\.weight: weights must not go down/,
    );
    expect(run.stderr).toMatch(
      /broken\.yaml:11:43 strategies\.minor\[2\]\.hold: expected a duration/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate --json gives the issues as data', () => {
    const run = rollgate('validate', 'broken.yaml', '--json');
    expect(run.code).toBe(2);
    const result = JSON.parse(run.stdout);
    expect(result.valid).toBe(false);
    expect(result.issues[0]).toMatchObject({
      file: 'broken.yaml',
      line: 10,
      column: 37,
      path: 'strategies.minor[1].hodl',
    });
  });

  it('a YAML syntax error has its line and column', () => {
    writeFileSync(
      join(dir, 'syntax.yaml'),
      'version: 1\nservices:\n  web:\n    router: x\n   deployer: y\n',
    );
    const run = rollgate('validate', 'syntax.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/syntax\.yaml:5:1 YAML syntax error/);
  });

  it('a missing file, an unknown release type and a missing --type are invalid input', () => {
    expect(rollgate('validate', 'nope.yaml')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no policy file at nope\.yaml/),
    });
    expect(rollgate('plan', '--type', 'huge').code).toBe(2);
    expect(rollgate('plan').code).toBe(2);
    expect(rollgate('plan', '--type', 'minor', '--service', 'api')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown service `api`/),
    });
  });
});

describe('rollgate schema', () => {
  it('prints the committed JSON Schema, which validates the examples with ajv', () => {
    const run = rollgate('schema');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(REPO, 'schema', 'rollgate.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(
      JSON.parse(run.stdout),
    );
    for (const name of ['minimal.yaml', 'vm-haproxy.yaml', 'kubernetes.yaml']) {
      const text = readFileSync(join(REPO, 'examples', name), 'utf8');
      expect(validate(parse(text)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(rollgate('validate', join(REPO, 'examples', name)).code).toBe(0);
    }
  });
});
