/**
 * Bench reference: the least a Node proxy can do (node:http + undici Pool.stream, one
 * upstream, no split, no measurements, no timeouts). Shows how much of the built-in
 * router's cost is Node itself.
 *   tsx bench/router/minimal-proxy.ts <upstream URL>
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2] ?? 'http://127.0.0.1:1', { connections: 128 });
const server = createServer((req, res) => {
  pool
    .stream(
      { method: 'GET', path: req.url ?? '/', headers: { host: req.headers.host ?? '' } },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, headers as Record<string, string>);
        return res;
      },
    )
    .catch(() => res.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
