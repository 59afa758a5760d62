import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const schema = JSON.parse(readFileSync(resolve(root, 'schema/scenario.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

describe('schema/scenario.schema.json', () => {
  it.each(['error-regression', 'healthy-canary', 'latency-tail'])(
    'accepts every line of examples/scenarios/%s.jsonl',
    (name) => {
      const lines = readFileSync(resolve(root, `examples/scenarios/${name}.jsonl`), 'utf8')
        .trim()
        .split('\n');
      for (const line of lines.slice(0, 50))
        expect(validate(JSON.parse(line)), JSON.stringify(validate.errors)).toBe(true);
    },
  );

  it('rejects a batch without counts and a header without a batch length', () => {
    expect(
      validate({ t: 1, weight: 5, baseline: { requests: 1 }, canary: { requests: 1, errors: 0 } }),
    ).toBe(false);
    expect(validate({ name: 'x' })).toBe(false);
    expect(
      validate({
        t: 1,
        weight: 5,
        baseline: { requests: 1, errors: 0 },
        canary: { requests: 1, errors: 0, unitErrors: 1 },
      }),
    ).toBe(false);
  });
});
