import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  connect,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BuiltinRouter } from '../../src/router/builtin-router.js';

// The fast path (ADR 0120) speaks HTTP/1.1 on raw sockets: these tests talk to it on raw
// sockets too, so that framing, pipelining, streaming and connection reuse are observable.

interface Upstream {
  url: string;
  /** Upstream connections opened so far. */
  connections: () => number;
  seen: IncomingHttpHeaders[];
  close: () => Promise<void>;
}

async function upstream(handler: Parameters<typeof createHttpServer>[1]): Promise<Upstream> {
  const seen: IncomingHttpHeaders[] = [];
  let connections = 0;
  const server: Server = createHttpServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    seen.push(req.headers);
    handler?.(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Raw client: write `text`, collect what comes back until `done(received)` or the close. */
function exchange(
  url: string,
  text: string,
  done: (received: string) => boolean,
  opts: { readSlowly?: boolean } = {},
): Promise<{ received: string; closed: boolean }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname);
    let received = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no complete answer, got: ${received.slice(0, 500)}`));
    }, 10_000);
    s.on('data', (c: Buffer) => {
      received += c.toString('latin1');
      if (opts.readSlowly) {
        s.pause();
        setTimeout(() => s.resume(), 2);
      }
      if (done(received)) {
        clearTimeout(timer);
        s.destroy();
        resolve({ received, closed: false });
      }
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closed: true });
    });
    s.on('error', reject);
    s.write(text);
  });
}

const count = (s: string, sub: string) => s.split(sub).length - 1;

describe('built-in router fast path', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function routerTo(up: Upstream, extra: object = {}): Promise<BuiltinRouter> {
    const router = await BuiltinRouter.start({
      upstreams: { stable: [up.url], canary: [up.url] },
      weight: 0,
      ...extra,
    });
    cleanups.push(() => router.close());
    return router;
  }

  async function up(handler: Parameters<typeof createHttpServer>[1]): Promise<Upstream> {
    const u = await upstream(handler);
    cleanups.push(u.close);
    return u;
  }

  it('answers pipelined requests in order, on one upstream connection', async () => {
    const u = await up((req, res) => {
      const body = `path ${req.url}`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const router = await routerTo(u);
    const req = (p: string) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const { received } = await exchange(router.url, req('/a') + req('/b') + req('/c'), (r) =>
      r.includes('path /c'),
    );
    expect(received.indexOf('path /a')).toBeLessThan(received.indexOf('path /b'));
    expect(received.indexOf('path /b')).toBeLessThan(received.indexOf('path /c'));
    expect(count(received, 'x-rollgate-arm: stable\r\n')).toBe(3);
    expect(u.connections()).toBe(1);
  });

  it('reuses upstream connections across client connections', async () => {
    const u = await up((_req, res) => res.end('ok'));
    const router = await routerTo(u);
    for (let i = 0; i < 20; i++) {
      const r = await exchange(router.url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (x) =>
        x.endsWith('ok'),
      );
      expect(r.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    }
    expect(u.connections()).toBe(1);
  });

  it('streams a chunked response as it is produced, then reuses the connection', async () => {
    let release: () => void = () => undefined;
    const u = await up((req, res) => {
      if (req.url === '/next') {
        res.end('next');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part;');
      release = () => res.end('second part');
    });
    const router = await routerTo(u);
    const { received } = await exchange(
      router.url,
      'GET /stream HTTP/1.1\r\nHost: x\r\n\r\n',
      (r) => {
        if (r.includes('first part;') && !r.includes('second part')) release();
        if (r.endsWith('0\r\n\r\n') && !r.includes('GET /next')) return true;
        return false;
      },
    );
    expect(received.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(received).toContain('second part');
    const next = await exchange(router.url, 'GET /next HTTP/1.1\r\nHost: x\r\n\r\n', (r) =>
      r.endsWith('next'),
    );
    expect(next.received).toContain('x-rollgate-arm: stable');
    expect(u.connections()).toBe(1);
  });

  it('sends no body for HEAD, 204 and 304, and keeps the connection going', async () => {
    const u = await up((req, res) => {
      if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304, { etag: '"a"' }).end();
      else res.writeHead(200, { 'content-length': '5' }).end(req.method === 'HEAD' ? '' : 'hello');
    });
    const router = await routerTo(u);
    const { received } = await exchange(
      router.url,
      'HEAD /x HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\nGET /x HTTP/1.1\r\nHost: x\r\n\r\n',
      (r) => r.endsWith('hello'),
    );
    expect(count(received, 'HTTP/1.1 ')).toBe(4);
    expect(count(received, 'hello')).toBe(1);
  });

  it('forwards a response delimited by the upstream closing, then closes the client', async () => {
    const raw: NetServer = createNetServer((s) => {
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil close'));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const url = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
    const router = await BuiltinRouter.start({ upstreams: { stable: [url], canary: [url] } });
    cleanups.push(() => router.close());
    const r = await exchange(router.url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', () => false);
    expect(r.closed).toBe(true);
    expect(r.received).toContain('connection: close\r\n');
    expect(r.received.endsWith('\r\n\r\nuntil close')).toBe(true);
  });

  it('strips hop-by-hop headers both ways and appends X-Forwarded-For', async () => {
    const u = await up((_req, res) => {
      res.setHeader('keep-alive', 'timeout=99');
      res.setHeader('x-end-to-end', 'yes');
      res.end('ok');
    });
    const router = await routerTo(u);
    const { received } = await exchange(
      router.url,
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Private\r\nKeep-Alive: timeout=1\r\nTE: trailers\r\nX-Forwarded-For: 10.1.2.3\r\nX-Custom: kept\r\n\r\n',
      (r) => r.endsWith('ok'),
    );
    expect(received).toContain('x-end-to-end: yes');
    expect(received).not.toContain('timeout=99');
    const h = u.seen[0] as IncomingHttpHeaders;
    expect(h['x-forwarded-for']).toBe('10.1.2.3, 127.0.0.1');
    expect(h['x-custom']).toBe('kept');
    expect(h.te).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
  });

  it('hands a connection to node:http at a request with a body, mid-connection', async () => {
    const u = await up((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => {
        n += c.length;
      });
      req.on('end', () => res.end(`${req.method} ${n}`));
    });
    const router = await routerTo(u);
    const { received } = await exchange(
      router.url,
      'GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\nHost: x\r\n\r\n',
      (r) => count(r, 'GET 0') === 2,
    );
    expect(received.indexOf('GET 0')).toBeLessThan(received.indexOf('POST 11'));
    expect(count(received, 'x-rollgate-arm: stable')).toBe(3);
  });

  it('leaves malformed requests to node:http, which refuses them', async () => {
    const u = await up((_req, res) => res.end('ok'));
    const router = await routerTo(u);
    const r = await exchange(
      router.url,
      'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n',
      () => false,
    );
    expect(r.received).toMatch(/^HTTP\/1\.1 400 /);
    expect(u.seen).toHaveLength(0);
  });

  it('streams a large body to a slow client without losing or mixing up bytes', async () => {
    // Every chunk differs, and bytes within a chunk too: a read buffer reused too early shows.
    const chunks = Array.from({ length: 64 }, (_, i) =>
      Buffer.from(Array.from({ length: 64 * 1024 }, (_, j) => 32 + ((j * 7 + i) % 90))),
    );
    const chunk = chunks[0] as Buffer;
    const u = await up((_req, res) => {
      res.writeHead(200, { 'content-length': String(chunk.length * 64) });
      let i = 0;
      const more = () => {
        while (i < 64) {
          i++;
          if (!res.write(chunks[i - 1])) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    });
    const router = await routerTo(u);
    const total = chunk.length * 64;
    const r = await exchange(
      router.url,
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      (x) => x.length - x.indexOf('\r\n\r\n') - 4 >= total,
      { readSlowly: true },
    );
    expect(r.received.length - r.received.indexOf('\r\n\r\n') - 4).toBe(total);
    const body = r.received.slice(r.received.indexOf('\r\n\r\n') + 4);
    expect(body === Buffer.concat(chunks).toString('latin1')).toBe(true);
  });

  it('reassembles a response head that arrives in pieces, then its body in pieces', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Long: ' + 'h'.repeat(300) + '\r\n\r\n';
    const pieces = [head.slice(0, 7), head.slice(7, 120), head.slice(120), '01234', '56789'];
    const sockets = new Set<Socket>();
    const raw = createNetServer((s) => {
      sockets.add(s);
      s.on('data', async () => {
        for (const p of pieces) {
          s.write(p);
          await new Promise((r) => setTimeout(r, 5));
        }
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          raw.close(() => r());
        }),
    );
    const url = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
    const router = await routerTo({ url } as Upstream);
    const twice = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\n';
    const r = await exchange(router.url, twice, (x) => x.endsWith('0123456789'));
    expect(r.received).toContain(`X-Long: ${'h'.repeat(300)}\r\n`);
    expect(r.received.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    // The same upstream connection then carries the next request.
    const again = await exchange(router.url, twice, (x) => x.endsWith('0123456789'));
    expect(again.received).toContain('Content-Length: 10\r\n');
  });

  it('does not fail a request when the upstream closes its kept-alive connections', async () => {
    // An upstream that closes every connection right after its first response, without
    // saying so: the router's second request on the same connection must be retried.
    let served = 0;
    const raw: NetServer = createNetServer((s) => {
      s.once('data', () => {
        served++;
        s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const url = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
    const router = await BuiltinRouter.start({ upstreams: { stable: [url], canary: [url] } });
    cleanups.push(() => router.close());
    for (let i = 0; i < 5; i++) {
      const r = await exchange(router.url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (x) =>
        x.endsWith('ok'),
      );
      expect(r.received).toMatch(/^HTTP\/1\.1 200 OK/);
    }
    expect(served).toBe(5);
  });
});
