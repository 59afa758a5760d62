/**
 * Run one demo service version as its own process:
 *   node dist/demo/demo-service-main.js '<options JSON>'
 * Prints one JSON line `{"ready":true,"url":…,"port":…,"version":…}` when listening.
 * The crash fault ends the process with exit code 70; SIGTERM closes it cleanly.
 */
import { startDemoService } from './demo-service.js';

const CRASH_EXIT = 70;
const EXIT_WITH_PARENT_ENV = 'ROLLGATE_EXIT_WITH_PARENT';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as unknown;
  const service = await startDemoService(options as never, {
    onCrash: () => process.exit(CRASH_EXIT),
  });
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: service.url, port: service.port, version: service.version })}\n`,
  );
  const stop = () => {
    service.close().then(
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
  process.stderr.write(`demo service failed to start: ${(err as Error).message}\n`);
  process.exit(2);
});
