// `npm run schema`: regenerates schema/rollgate.schema.json from the zod model.
// test/unit/policy/policy-json-schema.test.ts fails when the committed file is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyJsonSchemaText } from '../src/core/policy/policy-schema.js';

const target = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'schema',
  'rollgate.schema.json',
);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, policyJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
