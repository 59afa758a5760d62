import { describe, expect, it } from 'vitest';
import {
  ChunkedScanner,
  parseRequestHead,
  parseResponseHead,
} from '../../../src/router/http-head.js';

const opts = { unitHeader: 'x-rollgate-unit', overrideHeader: 'x-rollgate-version' };

describe('parseRequestHead', () => {
  it('keeps end-to-end headers verbatim, drops hop-by-hop ones, reads unit and override', () => {
    const h = parseRequestHead(
      'GET /v1/health?x=1 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Rollgate-Unit: u1\r\nx-rollgate-version: canary\r\nCookie: a=1\r\nX-Forwarded-For: 10.0.0.1\r\nTE: trailers',
      opts,
    );
    expect(h).toEqual({
      method: 'GET',
      target: '/v1/health?x=1',
      lines: 'Host: a\r\nX-Rollgate-Unit: u1\r\nx-rollgate-version: canary\r\nCookie: a=1\r\n',
      forwardedFor: '10.0.0.1',
      unit: 'u1',
      cookie: 'a=1',
      override: 'canary',
      close: false,
    });
  });

  it('notes Connection: close', () => {
    expect(parseRequestHead('GET / HTTP/1.1\r\nHost: a\r\nConnection: Close', opts)?.close).toBe(
      true,
    );
  });

  it.each([
    ['a body', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3'],
    ['a chunked body', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked'],
    ['an upgrade', 'GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket'],
    ['Expect', 'PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue'],
    ['HTTP/1.0', 'GET / HTTP/1.0\r\nHost: h'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2'],
    ['a bare LF', 'GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\nX-B: 2'],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost: h\r\nHost : a'],
    ['an absolute target', 'GET http://a/ HTTP/1.1\r\nHost: h'],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nHost: h'],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: h'],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: a\0b'],
    ['a bare CR ending a value', 'GET / HTTP/1.1\r\nHost: a\r\nX-A: a\r\r\nX-B: b'],
    ['a non-ASCII header name', 'GET / HTTP/1.1\r\nHost: a\r\nX-\u00c4: 1'],
    ['an empty header name', 'GET / HTTP/1.1\r\nHost: a\r\n: 1'],
    ['no Host', 'GET / HTTP/1.1\r\nX-A: 1'],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b'],
  ])('leaves %s to node:http', (_what, head) => {
    expect(parseRequestHead(head, opts)).toBeUndefined();
  });

  it('reads header names in any case and values without surrounding spaces and tabs', () => {
    const h = parseRequestHead('GET / HTTP/1.1\r\nHOST: a\r\nX-ROLLGATE-UNIT: \t u 1 \t', opts);
    expect(h?.unit).toBe('u 1');
    expect(h?.lines).toBe('HOST: a\r\nX-ROLLGATE-UNIT: \t u 1 \t\r\n');
  });

  it('accepts Content-Length: 0', () => {
    expect(
      parseRequestHead('DELETE /a HTTP/1.1\r\nHost: a\r\nContent-Length: 0', opts)?.method,
    ).toBe('DELETE');
  });
});

describe('parseResponseHead', () => {
  const gauges = new Set(['memory']);
  it('reads status, length, gauges; drops hop-by-hop headers and the arm header', () => {
    const r = parseResponseHead(
      'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nx-rollgate-gauge-memory: 0.25\r\nx-rollgate-arm: spoofed',
      'GET',
      gauges,
      'x-rollgate-arm',
    );
    expect(r).toEqual({
      status: 200,
      lines: 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nx-rollgate-gauge-memory: 0.25\r\n',
      framing: { kind: 'length', length: 12 },
      keepAlive: true,
      gauges: { memory: 0.25 },
    });
  });

  it('frames by method and status', () => {
    const p = (head: string, method = 'GET') =>
      parseResponseHead(head, method, gauges, 'x-rollgate-arm');
    expect(p('HTTP/1.1 200 OK\r\nContent-Length: 5', 'HEAD')?.framing).toEqual({ kind: 'none' });
    expect(p('HTTP/1.1 204 No Content')?.framing).toEqual({ kind: 'none' });
    expect(p('HTTP/1.1 304 Not Modified\r\nContent-Length: 5')?.framing).toEqual({
      kind: 'none',
    });
    expect(p('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked')?.framing).toEqual({
      kind: 'chunked',
    });
    const noLength = p('HTTP/1.1 200 OK');
    expect(noLength?.framing).toEqual({ kind: 'close' });
    expect(noLength?.keepAlive).toBe(false);
    expect(p('HTTP/1.0 200 OK\r\nContent-Length: 1')?.keepAlive).toBe(false);
    expect(p('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close')?.keepAlive).toBe(false);
    expect(p('HTTP/1.1 200 OK\r\nCONTENT-LENGTH:  007 ')?.framing).toEqual({
      kind: 'length',
      length: 7,
    });
    expect(p('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nKeep-Alive: timeout=5\r\nTE: x')?.lines).toBe(
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n',
    );
    const both = p('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked');
    expect(both?.framing).toEqual({ kind: 'chunked' });
    expect(both?.keepAlive).toBe(false);
  });

  it.each([
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2'],
    ['a bad length', 'HTTP/1.1 200 OK\r\nContent-Length: -1'],
    ['an empty length', 'HTTP/1.1 200 OK\r\nContent-Length: '],
    ['a length with a letter', 'HTTP/1.1 200 OK\r\nContent-Length: 1a'],
    ['a length of 16 digits', 'HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456'],
    ['a bad status line', 'HTTP/1.1 2000 OK'],
    ['not HTTP', 'SSH-2.0-OpenSSH'],
    ['a bad header', 'HTTP/1.1 200 OK\r\nBad Header: 1'],
  ])('refuses %s', (_what, head) => {
    expect(parseResponseHead(head, 'GET', gauges, 'x-rollgate-arm')).toBeUndefined();
  });
});

describe('ChunkedScanner', () => {
  const body = Buffer.from(
    '5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n\r\n',
  );

  it('finds the end of a chunked body in one buffer, with trailing bytes', () => {
    const s = new ChunkedScanner();
    expect(s.feed(Buffer.concat([body, Buffer.from('HTTP/1.1')]))).toBe(body.length);
  });

  it('finds it when the body arrives one byte at a time', () => {
    const s = new ChunkedScanner();
    for (let i = 0; i < body.length - 1; i++) expect(s.feed(body.subarray(i, i + 1))).toBe(-1);
    expect(s.feed(body.subarray(body.length - 1))).toBe(1);
  });

  it.each([
    ['a non-hex size', 'zz\r\n'],
    ['a missing CRLF after data', '2\r\nabc'],
    ['a bare LF', '2\nab'],
  ])('reports %s as malformed', (_what, text) => {
    expect(new ChunkedScanner().feed(Buffer.from(text))).toBe(-2);
  });
});
