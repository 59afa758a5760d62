import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamSockets, type UpstreamUser } from '../../src/router/upstream-sockets.js';

/** A raw TCP server answering every request with a tiny response; counts open connections. */
async function rawUpstream() {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Send one request on a pooled connection and give it back once the response came. */
function roundTrip(pool: UpstreamSockets): Promise<void> {
  return new Promise((resolve, reject) => {
    const user: UpstreamUser = {
      onUpstreamData: () => {
        conn?.release(true);
        resolve();
      },
      onUpstreamEnd: (err) => reject(err ?? new Error('closed')),
      onUpstreamTimeout: () => reject(new Error('timeout')),
    };
    let conn: { release(reusable: boolean): void } | undefined;
    pool.acquire(user, false, (c) => {
      conn = c;
      c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
  });
}

const until = async (what: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return what();
};

describe('UpstreamSockets', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('reuses an idle connection, and closes it once it has been idle for idleMs', async () => {
    const up = await rawUpstream();
    cleanups.push(up.close);
    const pool = new UpstreamSockets(up.url, 4, {
      connectMs: 2_000,
      headersMs: 5_000,
      bodyMs: 5_000,
      idleMs: 300,
    });
    cleanups.push(() => pool.destroy());
    await roundTrip(pool);
    await roundTrip(pool);
    expect(up.open()).toBe(1);
    // Still open well within idleMs, closed a little after it.
    await new Promise((r) => setTimeout(r, 100));
    expect(up.open()).toBe(1);
    expect(await until(() => up.open() === 0, 2_000)).toBe(true);
    // A new request opens a new connection.
    await roundTrip(pool);
    expect(up.open()).toBe(1);
  });
});
