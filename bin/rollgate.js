#!/usr/bin/env node
// The `rollgate` command. Runs the compiled CLI from dist/ (built by `npm run build`,
// which `npm ci` / `npm install` run through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'rollgate: the compiled CLI is missing (dist/cli/main.js).\n' +
      'Run `npm run build` in the rollgate checkout, then try again.\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
