// `npm run openapi`: regenerates schema/openapi.json from the server's routes.
// test/integration/server-openapi.test.ts fails when the committed file is stale.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/app.js';
import { VERSION } from '../src/cli/version.js';
import { createServer } from '../src/server/create-server.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'openapi.json');
const dir = mkdtempSync(join(tmpdir(), 'rollgate-openapi-'));
const app = await createApp({ store: join(dir, 'rollgate.db'), cwd: dir });
try {
  const server = await createServer(app, { version: VERSION });
  writeFileSync(target, `${JSON.stringify(server.openapi, null, 2)}\n`);
  await server.close();
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`wrote ${target}\n`);
