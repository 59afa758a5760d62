/**
 * Bench-only experiment for ADR 0051: the built-in router on node:cluster workers sharing
 * one listening port (the primary accepts and hands connections round-robin). Weights are
 * fixed from the config; no weight broadcast or measurement aggregation is attempted here.
 *   tsx bench/router/cluster-router.ts <workers> '<router config JSON>'
 */
import cluster from 'node:cluster';
import { BuiltinRouter } from '../../src/router/builtin-router.js';

const workers = Number(process.argv[2] ?? '2');
const config = JSON.parse(process.argv[3] ?? '{}') as { listen?: { port?: number } };

if (cluster.isPrimary) {
  let online = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (m: unknown) => {
      if ((m as { ready?: boolean }).ready === true && ++online === workers) {
        process.stdout.write(`${JSON.stringify({ ready: true, port: config.listen?.port })}\n`);
      }
    });
  }
  const stop = () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const router = await BuiltinRouter.start(config as never);
  process.send?.({ ready: true });
  process.on('SIGTERM', () => {
    router.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
