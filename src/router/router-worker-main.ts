/**
 * A cluster worker of the built-in router (forked by ClusterRouter): proxies and measures on
 * the shared port, with no admin server; answers the primary's weight, read and metrics
 * messages; drains and exits when told.
 */
import { coerceError } from '../core/errors/rollgate-error.js';
import { BuiltinRouter } from './builtin-router.js';
import { type FromWorker, type ToWorker, WORKER_CONFIG_ENV } from './cluster-messages.js';

function send(m: FromWorker): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? '{}') as Record<string, unknown>;
  const router = await BuiltinRouter.start({ ...config, workers: 1 } as never, {
    adminServer: false,
  });
  const stats = setInterval(() => send({ t: 'stats', inflight: router.inflightRequests }), 250);
  stats.unref();
  process.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'weight':
        try {
          router.setWeight(m.weight);
          send({ t: 'weight', id: m.id, ok: true });
        } catch (err) {
          send({ t: 'weight', id: m.id, ok: false, message: coerceError(err).message });
        }
        return;
      case 'read':
        send({ t: 'read', id: m.id, raw: router.readRaw(m.from, m.to) });
        return;
      case 'metrics':
        router.metricsJson().then(
          (json) => send({ t: 'metrics', id: m.id, json }),
          () => send({ t: 'metrics', id: m.id, json: [] }),
        );
        return;
      case 'drain':
        clearInterval(stats);
        router.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
        return;
    }
  });
  // The primary going away must not leave a worker behind.
  process.on('disconnect', () => {
    router.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  send({ t: 'ready', port: Number(new URL(router.url).port) });
}

main().catch((err: unknown) => {
  process.stderr.write(`router worker failed to start: ${coerceError(err).message}\n`);
  process.exit(2);
});
