/**
 * Strict parsing of HTTP/1.1 message heads for the router's fast path (ADR 0120). It accepts
 * only the plain case and answers `undefined` for anything else, which the caller then hands
 * to node:http: the fast path never has to be as complete as llhttp, only never wrong.
 */

/** Header name characters (RFC 9110 token): 1 a token character, 2 an upper-case letter. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 2;

/**
 * The lower-case name of the field line starting at `start` with its colon at `colon`, or
 * `undefined` when the name is not a token. A loop over char codes: header names are
 * checked on every request and response, and a regex plus `toLowerCase` cost more.
 */
function fieldName(head: string, start: number, colon: number): string | undefined {
  if (colon <= start) return undefined;
  let upper = false;
  for (let i = start; i < colon; i++) {
    const c = head.charCodeAt(i);
    const t = c < 128 ? (TCHAR[c] as number) : 0;
    if (t === 0) return undefined;
    if (t === 2) upper = true;
  }
  const raw = head.slice(start, colon);
  return upper ? raw.toLowerCase() : raw;
}

/**
 * The field value in head[from, end) without surrounding whitespace (SP, HTAB), or
 * `undefined` when it holds a NUL, CR or LF (the head was split on CRLF only).
 */
function fieldValue(head: string, from: number, end: number): string | undefined {
  let a = from;
  let b = end;
  while (a < b && (head.charCodeAt(a) === 32 || head.charCodeAt(a) === 9)) a++;
  while (b > a && (head.charCodeAt(b - 1) === 32 || head.charCodeAt(b - 1) === 9)) b--;
  for (let i = a; i < b; i++) {
    const c = head.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13) return undefined;
  }
  return head.slice(a, b);
}
const METHOD = /^[A-Z]+$/;
/** Request targets in origin form, no spaces or control characters. */
const TARGET = /^\/[\x21-\x7e]*$/;

export interface RequestHead {
  method: string;
  target: string;
  /** Forwarded header lines, each ending in CRLF, as the client sent them. */
  lines: string;
  forwardedFor: string | undefined;
  unit: string | undefined;
  cookie: string | undefined;
  override: string | undefined;
  /** The client asked to close the connection after this exchange. */
  close: boolean;
}

export interface RequestHeadOptions {
  unitHeader: string;
  overrideHeader: string;
}

function join(prev: string | undefined, v: string, sep: string): string {
  return prev === undefined ? v : `${prev}${sep}${v}`;
}

/**
 * Parse a request head (without its final empty line). `undefined` when the request is not
 * a plain bodiless HTTP/1.1 request in origin form with well-formed fields and one Host:
 * a body, an upgrade, `Expect`, obsolete line folding, a bare LF, HTTP/1.0, anything unusual.
 */
export function parseRequestHead(head: string, o: RequestHeadOptions): RequestHead | undefined {
  const lineEnd = head.indexOf('\r\n');
  const requestLine = lineEnd === -1 ? head : head.slice(0, lineEnd);
  const sp1 = requestLine.indexOf(' ');
  const sp2 = requestLine.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 === -1 || requestLine.indexOf(' ', sp2 + 1) !== -1) return undefined;
  if (requestLine.slice(sp2 + 1) !== 'HTTP/1.1') return undefined;
  const method = requestLine.slice(0, sp1);
  const target = requestLine.slice(sp1 + 1, sp2);
  if (!METHOD.test(method) || method === 'CONNECT' || !TARGET.test(target)) return undefined;
  let lines = '';
  let forwardedFor: string | undefined;
  let unit: string | undefined;
  let cookie: string | undefined;
  let override: string | undefined;
  let close = false;
  let host = false;
  let pos = lineEnd === -1 ? head.length : lineEnd + 2;
  // Forwarded lines are copied as runs between the dropped ones.
  let kept = pos;
  while (pos < head.length) {
    const start = pos;
    let end = head.indexOf('\r\n', pos);
    if (end === -1) end = head.length;
    pos = end + 2;
    const colon = head.indexOf(':', start);
    if (colon > end) return undefined;
    const name = fieldName(head, start, colon);
    if (name === undefined) return undefined;
    const value = fieldValue(head, colon + 1, end);
    if (value === undefined) return undefined;
    // Hop-by-hop headers are never forwarded (RFC 9110 §7.6.1); a switch, not a Set: no hash
    // of a fresh string per header.
    let hop = false;
    switch (name) {
      case 'content-length':
        if (value !== '0') return undefined;
        break;
      case 'transfer-encoding':
      case 'upgrade':
      case 'expect':
        return undefined;
      case 'connection':
        if (/(^|,)\s*close\s*(,|$)/i.test(value)) close = true;
        if (/(^|,)\s*upgrade\s*(,|$)/i.test(value)) return undefined;
        hop = true;
        break;
      case 'x-forwarded-for':
        forwardedFor = join(forwardedFor, value, ', ');
        hop = true;
        break;
      case 'keep-alive':
      case 'proxy-connection':
      case 'proxy-authenticate':
      case 'proxy-authorization':
      case 'te':
      case 'trailer':
        hop = true;
        break;
      case 'cookie':
        cookie = join(cookie, value, '; ');
        break;
      case 'host':
        // node:http answers 400 to a missing or repeated Host (RFC 9112 §3.2): leave it to it.
        if (host) return undefined;
        host = true;
        break;
    }
    if (name === o.unitHeader) unit = join(unit, value, ', ');
    else if (name === o.overrideHeader) override = join(override, value, ', ');
    if (hop) {
      lines += head.slice(kept, start);
      kept = pos;
    }
  }
  if (!host) return undefined;
  if (kept < head.length) lines += `${head.slice(kept)}\r\n`;
  return { method, target, lines, forwardedFor, unit, cookie, override, close };
}

export type Framing =
  /** No body: HEAD requests, 1xx, 204, 304. */
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** No length: the body ends when the upstream closes the connection. */
  | { kind: 'close' };

export interface ResponseHead {
  status: number;
  /** Status line and forwarded header lines, each ending in CRLF (no final empty line). */
  lines: string;
  framing: Framing;
  /** The upstream connection may carry another request after this response. */
  keepAlive: boolean;
  gauges: Record<string, number> | undefined;
}

const GAUGE_PREFIX = 'x-rollgate-gauge-';

/** 1 to 15 decimal digits as a number, else -1 (a Content-Length value). */
function decimal(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Parse a response head (without its final empty line) to a request of `method`.
 * `undefined` when it is malformed: the exchange then fails as a reset upstream.
 * `drop` names response headers the router sets itself.
 */
export function parseResponseHead(
  head: string,
  method: string,
  gaugeNames: ReadonlySet<string>,
  drop: string,
): ResponseHead | undefined {
  const lineEnd = head.indexOf('\r\n');
  const statusLine = lineEnd === -1 ? head : head.slice(0, lineEnd);
  const http11 = statusLine.startsWith('HTTP/1.1 ');
  if (!http11 && !statusLine.startsWith('HTTP/1.0 ')) return undefined;
  const code = statusLine.slice(9, 12);
  if (!/^[1-5]\d\d$/.test(code) || (statusLine.length > 12 && statusLine[12] !== ' ')) {
    return undefined;
  }
  const status = Number(code);
  let lines = `${statusLine}\r\n`;
  let length = -1;
  let chunked = false;
  let otherCoding = false;
  let connClose = !http11;
  let gauges: Record<string, number> | undefined;
  let pos = lineEnd === -1 ? head.length : lineEnd + 2;
  // Forwarded lines are copied as runs between the dropped ones.
  let kept = pos;
  while (pos < head.length) {
    const start = pos;
    let end = head.indexOf('\r\n', pos);
    if (end === -1) end = head.length;
    pos = end + 2;
    const colon = head.indexOf(':', start);
    if (colon > end) return undefined;
    const name = fieldName(head, start, colon);
    if (name === undefined) return undefined;
    const value = fieldValue(head, colon + 1, end);
    if (value === undefined) return undefined;
    // Hop-by-hop headers are not forwarded; the framing ones stay (the body goes as is).
    let hop = false;
    switch (name) {
      case 'content-length': {
        const n = decimal(value);
        if (n === -1 || (length !== -1 && length !== n)) return undefined;
        length = n;
        break;
      }
      case 'transfer-encoding': {
        const codings = value.toLowerCase().split(',');
        const last = (codings[codings.length - 1] ?? '').trim();
        if (last === 'chunked') chunked = true;
        else otherCoding = true;
        break;
      }
      case 'connection':
        if (/(^|,)\s*close\s*(,|$)/i.test(value)) connClose = true;
        else if (!http11 && /(^|,)\s*keep-alive\s*(,|$)/i.test(value)) connClose = false;
        hop = true;
        break;
      case 'keep-alive':
      case 'proxy-connection':
      case 'proxy-authenticate':
      case 'upgrade':
      case 'te':
        hop = true;
        break;
    }
    if (
      gaugeNames.size > 0 &&
      name.startsWith(GAUGE_PREFIX) &&
      gaugeNames.has(name.slice(GAUGE_PREFIX.length))
    ) {
      const n = Number(value);
      if (value !== '' && Number.isFinite(n)) {
        gauges ??= {};
        gauges[name.slice(GAUGE_PREFIX.length)] = n;
      }
    }
    if (hop || name === drop) {
      lines += head.slice(kept, start);
      kept = pos;
    }
  }
  if (kept < head.length) lines += `${head.slice(kept)}\r\n`;
  let framing: Framing;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) {
    framing = { kind: 'none' };
  } else if (chunked || otherCoding) {
    // A length next to a transfer coding is ignored (RFC 9112 §6.3); never reuse after it.
    if (length !== -1) connClose = true;
    framing = chunked && !otherCoding ? { kind: 'chunked' } : { kind: 'close' };
  } else if (length !== -1) {
    framing = { kind: 'length', length };
  } else {
    framing = { kind: 'close' };
  }
  return {
    status,
    lines,
    framing,
    keepAlive: !connClose && framing.kind !== 'close',
    gauges,
  };
}

enum Chunk {
  Size,
  SizeMore,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerLine,
  TrailerLf,
  EndLf,
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Finds where a chunked body ends, across the buffers it arrives in, without copying.
 * `feed` answers the index just after the last byte of the body, -1 when more is needed,
 * -2 when the framing is malformed.
 */
export class ChunkedScanner {
  private state = Chunk.Size;
  private size = 0;

  feed(b: Uint8Array): number {
    let i = 0;
    const n = b.length;
    while (i < n) {
      const c = b[i] as number;
      switch (this.state) {
        case Chunk.Size:
        case Chunk.SizeMore: {
          const v = hexValue(c);
          if (v !== -1) {
            this.size = this.size * 16 + v;
            if (this.size > Number.MAX_SAFE_INTEGER / 16) return -2;
            this.state = Chunk.SizeMore;
          } else if (this.state === Chunk.Size) return -2;
          else if (c === 13) this.state = Chunk.SizeLf;
          else if (c === 59 || c === 32 || c === 9) this.state = Chunk.Ext;
          else return -2;
          i++;
          break;
        }
        case Chunk.Ext: {
          const cr = b.indexOf(13, i);
          if (cr === -1) return -1;
          i = cr + 1;
          this.state = Chunk.SizeLf;
          break;
        }
        case Chunk.SizeLf:
          if (c !== 10) return -2;
          i++;
          if (this.size === 0) this.state = Chunk.TrailerStart;
          else this.state = Chunk.Data;
          break;
        case Chunk.Data: {
          const take = Math.min(this.size, n - i);
          i += take;
          this.size -= take;
          if (this.size === 0) this.state = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (c !== 13) return -2;
          i++;
          this.state = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (c !== 10) return -2;
          i++;
          this.state = Chunk.Size;
          break;
        case Chunk.TrailerStart:
          i++;
          this.state = c === 13 ? Chunk.EndLf : Chunk.TrailerLine;
          if (c === 10) return -2;
          break;
        case Chunk.TrailerLine: {
          const cr = b.indexOf(13, i);
          if (cr === -1) return -1;
          i = cr + 1;
          this.state = Chunk.TrailerLf;
          break;
        }
        case Chunk.TrailerLf:
          if (c !== 10) return -2;
          i++;
          this.state = Chunk.TrailerStart;
          break;
        case Chunk.EndLf:
          if (c !== 10) return -2;
          return i + 1;
      }
    }
    return -1;
  }
}
