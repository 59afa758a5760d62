/**
 * A second (third, …) rollgate process for store tests: run with `node --import tsx`.
 *   store-child.ts migrate SPEC         → prints "ready", waits for a line on stdin, then
 *                                         opens (and migrates) the store, prints {"ok":true}
 *   store-child.ts commit SPEC JSON     → opens, prints "ready", waits for a line on stdin,
 *                                         then commits the RolloutCommit JSON and prints
 *                                         {"ok":true} or {"code":"conflict",…}
 */
import { createInterface } from 'node:readline';
import { openStore } from '../../src/app/store-registry.js';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import type { RolloutCommit } from '../../src/ports/store.js';

const [mode, spec, payload] = process.argv.slice(2);

async function barrier(): Promise<void> {
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
}

async function main(): Promise<void> {
  if (mode === 'migrate') await barrier();
  const store = await openStore(spec);
  try {
    if (mode === 'commit') {
      await barrier();
      await store.commit(JSON.parse(payload ?? '{}') as RolloutCommit);
    }
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  const e = err instanceof RollgateError ? err : undefined;
  process.stdout.write(
    `${JSON.stringify({ ok: false, code: e?.code ?? 'crash', message: String((err as Error)?.message ?? err) })}\n`,
  );
  process.exitCode = 0;
});
