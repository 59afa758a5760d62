/**
 * Run one demo service version as its own process:
 *   node dist/demo/demo-service-main.js '<options JSON>'
 * Prints one JSON line `{"ready":true,"url":…,"port":…,"version":…}` when listening.
 * The crash fault ends the process with exit code 70; SIGTERM closes it cleanly.
 */
import { startDemoService } from './demo-service.js';

const CRASH_EXIT = 70;

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
}

main().catch((err: unknown) => {
  process.stderr.write(`demo service failed to start: ${(err as Error).message}\n`);
  process.exit(2);
});
