import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STARTER_POLICY } from '../../../src/config/starter-policy.js';
import { parsePolicy } from '../../../src/core/policy/compile-policy.js';
import { formatIssue } from '../../../src/core/policy/policy-issue.js';
import { policyJsonSchema, policyJsonSchemaText } from '../../../src/core/policy/policy-schema.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ name: f, text: readFileSync(join(root, 'examples', f), 'utf8') }));

let compiled: ReturnType<Ajv2020['compile']> | undefined;
function compileSchema() {
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile(policyJsonSchema());
  return compiled;
}

describe('the JSON Schema for editors', () => {
  it('is draft 2020-12', () => {
    expect(policyJsonSchema().$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('committed schema/rollgate.schema.json equals the generated one (run `npm run schema`)', () => {
    const committed = readFileSync(join(root, 'schema', 'rollgate.schema.json'), 'utf8');
    expect(committed).toBe(policyJsonSchemaText());
  });

  it('there are examples to check', () => {
    expect(examples.map((e) => e.name).sort()).toEqual([
      'kubernetes.yaml',
      'minimal.yaml',
      'vm-haproxy.yaml',
    ]);
  });

  for (const example of [
    ...examples,
    { name: 'starter policy (rollgate init)', text: STARTER_POLICY },
  ]) {
    it(`validates ${example.name} with ajv, and rollgate accepts it`, () => {
      const validate = compileSchema();
      const ok = validate(parse(example.text));
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
      const result = parsePolicy(example.text, example.name);
      expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([]);
    });
  }

  it('rejects what rollgate rejects structurally: unknown keys, missing units, literal secrets', () => {
    const validate = compileSchema();
    const base = parse(examples.find((e) => e.name === 'minimal.yaml')?.text ?? '');
    const broken = [
      { ...base, gate: {} },
      { ...base, strategies: { minor: [{ type: 'traffic', weight: '5%', hold: 15 }] } },
      {
        ...base,
        notifications: { channels: { s: { type: 'slack', webhook: 'https://hooks.slack.com/x' } } },
      },
    ];
    for (const policy of broken) expect(validate(policy)).toBe(false);
  });
});
