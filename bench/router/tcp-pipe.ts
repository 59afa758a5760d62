/**
 * Bench reference: a TCP relay in Node (one upstream connection per client connection,
 * bytes piped both ways, no HTTP parsing at all). The ceiling for any proxy written in Node
 * on this machine: what is left once the HTTP work is taken away.
 *   tsx bench/router/tcp-pipe.ts <upstream URL>
 */
import { connect, createServer } from 'node:net';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const server = createServer({ noDelay: true }, (client) => {
  const up = connect({ host: upstream.hostname, port: Number(upstream.port), noDelay: true });
  client.pipe(up);
  up.pipe(client);
  client.on('error', () => up.destroy());
  up.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`,
  );
});
process.on('SIGTERM', () => process.exit(0));
