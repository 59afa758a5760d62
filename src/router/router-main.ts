/**
 * Run the built-in router as its own process (the controller drives it over the admin API):
 *   node dist/router/router-main.js '<router config JSON>'
 * Prints one JSON line `{"ready":true,"url":…,"adminUrl":…}` when both ports are bound.
 * With `workers > 1` it becomes the cluster primary (ADR 0051).
 * SIGTERM or SIGINT drains (finish in-flight requests, bounded by `drainMs`) and exits 0.
 */
import { BuiltinRouter } from './builtin-router.js';
import { ClusterRouter } from './cluster-router.js';

const EXIT_WITH_PARENT_ENV = 'ROLLGATE_EXIT_WITH_PARENT';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as { workers?: number };
  const router =
    (config.workers ?? 1) > 1
      ? await ClusterRouter.start(config as never)
      : await BuiltinRouter.start(config as never);
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: router.url, adminUrl: router.adminUrl, pid: process.pid })}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    router.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by spawnDemoService / spawnRouter: when the parent dies, its end of our stdin
  // closes, and we go too, so a crashed test or benchmark leaves no process behind.
  if (process.env[EXIT_WITH_PARENT_ENV] === '1') {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`router failed to start: ${(err as Error).message}\n`);
  process.exit(2);
});
