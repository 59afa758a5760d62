import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * A tiny exporter with the usual conventions (`http_requests_total{version,code,route}`,
 * `http_request_duration_seconds`), whose counters the test drives directly, so it knows
 * exactly what Prometheus should see.
 */
export async function startCounterExporter(): Promise<{
  address: string;
  record(version: string, code: number, seconds: number, route?: string): void;
  totals: Record<string, number>;
  close(): Promise<void>;
}> {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'requests',
    labelNames: ['version', 'code', 'route'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'latency',
    labelNames: ['version'],
    buckets: [0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const totals: Record<string, number> = {};
  for (const v of ['stable', 'canary']) {
    requests.inc({ version: v, code: '200', route: '/v1/jobs' }, 0);
    totals[v] = 0;
  }
  const server: Server = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    totals,
    record(version, code, seconds, route = '/v1/jobs') {
      requests.inc({ version, code: String(code), route });
      duration.observe({ version }, seconds);
      totals[version] = (totals[version] ?? 0) + 1;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
