import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  ChunkedScanner,
  type Framing,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
} from './http-head.js';
import type { Arm } from './measurement-ring.js';
import type { ErrorKind } from './router-metrics.js';
import type { Decision } from './traffic-splitter.js';
import type { UpstreamConnection, UpstreamSockets, UpstreamUser } from './upstream-sockets.js';

const HEAD_END = Buffer.from('\r\n\r\n');
/** Longer request heads go to node:http, which answers 431 past its own limit. */
const MAX_REQUEST_HEAD = 16 * 1024;
const MAX_RESPONSE_HEAD = 64 * 1024;
/** Pipelined bytes buffered while a response is in flight before the client is paused. */
const MAX_PENDING = 64 * 1024;
const CLIENT_IDLE_MS = 65_000;
/** Body chunks up to this size are written together with the response head. */
const SMALL_CHUNK = 16 * 1024;
const RETRY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the fast path needs from the router it serves. */
export interface FastProxyHost {
  unitHeader: string;
  overrideHeader: string;
  armHeader: string;
  gauges: ReadonlySet<string>;
  isDraining(): boolean;
  /** The unit key, from the unit header or else the configured cookie. */
  unitOf(header: string | undefined, cookie: string | undefined): string | undefined;
  /** Throws a user-facing error for a bad override value. */
  decide(unit: string | undefined, override: string | undefined): Decision;
  upstream(arm: Arm): UpstreamSockets;
  /** A request started being proxied. */
  begin(): void;
  /** …and ended: account for it (requests, errors, latency, units, gauges). */
  end(
    decision: Decision,
    unit: string | undefined,
    target: string,
    startedMs: number,
    error: ErrorKind | undefined,
    gauges: Record<string, number> | undefined,
  ): void;
  /** Give a connection the fast path does not serve to node:http. */
  handover(socket: Socket): void;
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/**
 * The router's fast path (ADR 0120): HTTP/1.1 on raw sockets for plain bodiless requests,
 * forwarding the response bytes as they come (headers rewritten, body untouched) over
 * kept-alive upstream connections. The first request it does not serve (a body, an upgrade,
 * anything unusual) hands the connection over to node:http for the rest of its life.
 */
export class FastProxy {
  private readonly clients = new Set<ClientConnection>();

  constructor(readonly host: FastProxyHost) {}

  /** `net.Server` connection listener. */
  accept = (socket: Socket): void => {
    const c = new ClientConnection(socket, this);
    this.clients.add(c);
  };

  forget(c: ClientConnection): void {
    this.clients.delete(c);
  }

  /** Close connections with nothing in flight (draining); busy ones close after their response. */
  closeIdle(): void {
    for (const c of this.clients) c.closeIfIdle();
  }

  destroyAll(): void {
    for (const c of this.clients) c.socket.destroy();
    this.clients.clear();
  }
}

class ClientConnection {
  private pending: Buffer | undefined;
  exchange: Exchange | undefined;
  private readonly peer: string;
  private readonly onData = (chunk: Buffer) => this.data(chunk);
  private readonly onClose = () => this.closed();
  private readonly onError = () => undefined;
  private readonly onDrain = () => this.exchange?.clientDrained();
  private readonly onTimeout = () => {
    if (this.exchange === undefined) this.socket.destroy();
  };

  constructor(
    readonly socket: Socket,
    readonly proxy: FastProxy,
  ) {
    this.peer = socket.remoteAddress ?? '';
    socket.setNoDelay(true);
    socket.setTimeout(CLIENT_IDLE_MS);
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
    socket.on('drain', this.onDrain);
    socket.on('timeout', this.onTimeout);
  }

  closeIfIdle(): void {
    if (this.exchange === undefined) this.socket.end();
  }

  private data(chunk: Buffer): void {
    this.pending = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.exchange !== undefined) {
      if (this.pending.length > MAX_PENDING) this.socket.pause();
      return;
    }
    this.next();
  }

  /** Start the next request in the buffer, if it is complete. */
  next(): void {
    const buf = this.pending;
    if (buf === undefined || this.exchange !== undefined || this.socket.destroyed) return;
    const end = buf.indexOf(HEAD_END);
    if (end === -1) {
      if (buf.length > MAX_REQUEST_HEAD) this.handover();
      return;
    }
    const host = this.proxy.host;
    const head = parseRequestHead(buf.toString('latin1', 0, end), {
      unitHeader: host.unitHeader,
      overrideHeader: host.overrideHeader,
    });
    if (head === undefined) {
      this.handover();
      return;
    }
    this.pending = end + 4 < buf.length ? buf.subarray(end + 4) : undefined;
    if (this.pending !== undefined) this.socket.pause();
    const unit = host.unitOf(head.unit, head.cookie);
    let decision: Decision;
    try {
      decision = host.decide(unit, head.override);
    } catch (err) {
      this.respondError(
        400,
        errorBody('invalid_input', (err as Error).message),
        undefined,
        head.close,
      );
      return;
    }
    const xff = head.forwardedFor === undefined ? this.peer : `${head.forwardedFor}, ${this.peer}`;
    this.exchange = new Exchange(
      this,
      head,
      decision,
      unit,
      `${head.method} ${head.target} HTTP/1.1\r\n${head.lines}x-forwarded-for: ${xff}\r\n\r\n`,
    );
    host.begin();
    this.exchange.start(false);
  }

  /** Answer with a small JSON error (no upstream involved), then carry on or close. */
  respondError(status: number, body: string, arm: Arm | undefined, close: boolean): void {
    const host = this.proxy.host;
    const shut = close || host.isDraining();
    const reason =
      status === 400 ? 'Bad Request' : status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
    this.socket.write(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${
        arm === undefined ? '' : `${host.armHeader}: ${arm}\r\n`
      }${shut ? 'connection: close\r\n' : ''}\r\n${body}`,
    );
    this.done(shut);
  }

  /** The exchange in flight finished with a complete response. */
  done(close: boolean): void {
    this.exchange = undefined;
    if (close || this.proxy.host.isDraining()) {
      this.socket.end();
      return;
    }
    this.socket.resume();
    if (this.pending !== undefined) this.next();
  }

  private handover(): void {
    const s = this.socket;
    s.off('data', this.onData);
    s.off('close', this.onClose);
    s.off('error', this.onError);
    s.off('drain', this.onDrain);
    s.off('timeout', this.onTimeout);
    s.setTimeout(0);
    s.pause();
    if (this.pending !== undefined) s.unshift(this.pending);
    this.pending = undefined;
    this.proxy.forget(this);
    this.proxy.host.handover(s);
    // node:http reads the socket's handle itself from now on; what we had read already was
    // put back in the stream's buffer, and flows to node:http's parser once resumed.
    s.resume();
  }

  private closed(): void {
    this.proxy.forget(this);
    this.exchange?.clientGone();
  }
}

enum Phase {
  Head,
  Body,
  Done,
}

/** One request on the fast path, from choosing the upstream to the end of the response. */
class Exchange implements UpstreamUser {
  private readonly started = performance.now();
  private upstream: UpstreamConnection | undefined;
  private phase = Phase.Head;
  private headBuf: Buffer | undefined;
  private received = false;
  private framing: Framing = { kind: 'none' };
  private remaining = 0;
  private scanner: ChunkedScanner | undefined;
  private keepAlive = false;
  private closeClient = false;
  private gauges: Record<string, number> | undefined;
  private retried = false;

  constructor(
    private readonly client: ClientConnection,
    private readonly req: RequestHead,
    private readonly decision: Decision,
    private readonly unit: string | undefined,
    private readonly outHead: string,
  ) {}

  start(fresh: boolean): void {
    this.client.proxy.host.upstream(this.decision.arm).acquire(this, fresh, (c) => {
      if (this.phase === Phase.Done) {
        c.release(true);
        return;
      }
      this.upstream = c;
      c.socket.write(this.outHead, 'latin1');
    });
  }

  onUpstreamData(chunk: Buffer): void {
    this.received = true;
    if (this.phase === Phase.Body) {
      this.body(chunk);
      return;
    }
    if (this.phase !== Phase.Head) return;
    const buf = this.headBuf === undefined ? chunk : Buffer.concat([this.headBuf, chunk]);
    const end = buf.indexOf(HEAD_END);
    if (end === -1) {
      if (buf.length > MAX_RESPONSE_HEAD) this.fail('reset');
      // The chunk is a view of the shared read buffer: keep a copy.
      else this.headBuf = buf === chunk ? Buffer.from(chunk) : buf;
      return;
    }
    this.headBuf = undefined;
    const host = this.client.proxy.host;
    const res = parseResponseHead(
      buf.toString('latin1', 0, end),
      this.req.method,
      host.gauges,
      host.armHeader,
    );
    if (res === undefined) {
      this.fail('reset');
      return;
    }
    const socket = this.client.socket;
    if (res.status < 200) {
      // An interim response (103 Early Hints): pass it on, the final one follows.
      socket.write(`${res.lines}\r\n`, 'latin1');
      if (end + 4 < buf.length) this.onUpstreamData(buf.subarray(end + 4));
      return;
    }
    this.status = res.status;
    this.gauges = res.gauges;
    this.framing = res.framing;
    this.keepAlive = res.keepAlive;
    this.closeClient = this.req.close || host.isDraining() || res.framing.kind === 'close';
    this.phase = Phase.Body;
    const up = this.upstream as UpstreamConnection;
    const { headersMs, bodyMs } = up.timeouts;
    if (headersMs !== bodyMs) up.setTimeoutMs(bodyMs);
    this.pendingHead = `${res.lines}${host.armHeader}: ${this.decision.arm}\r\n${this.closeClient ? 'connection: close\r\n' : ''}\r\n`;
    if (res.framing.kind === 'length') this.remaining = res.framing.length;
    else if (res.framing.kind === 'chunked') this.scanner = new ChunkedScanner();
    if (end + 4 < buf.length) this.body(buf.subarray(end + 4));
    else if (
      res.framing.kind === 'none' ||
      (res.framing.kind === 'length' && this.remaining === 0)
    ) {
      this.finish(this.keepAlive);
    } else {
      // Headers go to the client now, the body follows as it comes.
      this.send(undefined);
    }
  }

  /**
   * Write to the client, the response head first if it is still pending. A small first body
   * chunk goes out with the head as one string (latin1 maps bytes one to one): one write
   * call instead of a corked writev, which costs more per request.
   */
  private send(chunk: Buffer | undefined): boolean {
    const socket = this.client.socket;
    const head = this.pendingHead;
    // Body bytes are views of the upstream read buffer (see UpstreamUser): written as copies.
    if (head === undefined) return chunk === undefined || socket.write(Buffer.from(chunk));
    this.pendingHead = undefined;
    if (chunk === undefined) return socket.write(head, 'latin1');
    if (chunk.length <= SMALL_CHUNK) return socket.write(head + chunk.toString('latin1'), 'latin1');
    socket.cork();
    socket.write(head, 'latin1');
    const ok = socket.write(Buffer.from(chunk));
    socket.uncork();
    return ok;
  }

  private status = 0;
  /** The rewritten response head, until it is written with the first body bytes. */
  private pendingHead: string | undefined;

  private body(chunk: Buffer): void {
    let ok = true;
    switch (this.framing.kind) {
      case 'none':
        // Bytes after a bodiless response: the upstream is confused, do not reuse it.
        this.finish(false);
        return;
      case 'length': {
        const n = Math.min(this.remaining, chunk.length);
        if (n > 0) ok = this.send(n === chunk.length ? chunk : chunk.subarray(0, n));
        this.remaining -= n;
        if (this.remaining === 0) {
          this.finish(this.keepAlive && n === chunk.length);
          return;
        }
        break;
      }
      case 'chunked': {
        const at = (this.scanner as ChunkedScanner).feed(chunk);
        if (at === -2) {
          this.fail('reset');
          return;
        }
        if (at === -1) {
          ok = this.send(chunk);
          break;
        }
        this.send(at === chunk.length ? chunk : chunk.subarray(0, at));
        this.finish(this.keepAlive && at === chunk.length);
        return;
      }
      case 'close':
        ok = this.send(chunk);
        break;
    }
    if (!ok) this.upstream?.socket.pause();
  }

  clientDrained(): void {
    if (this.phase === Phase.Body) this.upstream?.socket.resume();
  }

  /** The response is complete and written to the client. */
  private finish(reusable: boolean): void {
    if (this.pendingHead !== undefined) this.send(undefined);
    this.phase = Phase.Done;
    const up = this.upstream;
    this.upstream = undefined;
    up?.release(reusable);
    this.account(this.status >= 500 ? '5xx' : undefined);
    this.client.done(this.closeClient);
  }

  private account(error: ErrorKind | undefined): void {
    this.client.proxy.host.end(
      this.decision,
      this.unit,
      this.req.target,
      this.started,
      error,
      this.gauges,
    );
  }

  onUpstreamEnd(err: NodeJS.ErrnoException | undefined): void {
    if (this.phase === Phase.Done) return;
    this.upstream = undefined;
    if (this.phase === Phase.Body) {
      if (this.framing.kind === 'close' && err === undefined) {
        this.finish(false);
        return;
      }
      this.fail('reset');
      return;
    }
    // Nothing reached the client yet. A kept-alive connection the upstream closed just as
    // we reused it: send the request again, once, on a new connection.
    const code = err?.code;
    if (
      !this.received &&
      !this.retried &&
      (err === undefined || code === 'ECONNRESET' || code === 'EPIPE') &&
      RETRY_METHODS.has(this.req.method)
    ) {
      this.retried = true;
      this.start(true);
      return;
    }
    this.fail('reset', code);
  }

  onUpstreamTimeout(): void {
    if (this.phase === Phase.Done) return;
    this.fail('timeout');
  }

  /** The exchange failed: a 502/504 if nothing was sent yet, otherwise cut the response. */
  private fail(kind: 'reset' | 'timeout', code?: string): void {
    const sent = this.phase === Phase.Body && this.pendingHead === undefined;
    this.phase = Phase.Done;
    const up = this.upstream;
    this.upstream = undefined;
    up?.release(false);
    this.account(kind);
    if (sent) {
      this.client.exchange = undefined;
      this.client.socket.destroy();
      return;
    }
    const arm = this.decision.arm;
    const timeout = kind === 'timeout';
    this.client.respondError(
      timeout ? 504 : 502,
      errorBody(
        timeout ? 'upstream_timeout' : 'upstream_unavailable',
        `${arm} upstream ${timeout ? 'timed out' : 'failed'} (${code ?? (timeout ? 'timeout' : 'error')})`,
      ),
      arm,
      this.req.close,
    );
  }

  /** The client went away: abandon the upstream request. */
  clientGone(): void {
    if (this.phase === Phase.Done) return;
    this.phase = Phase.Done;
    const up = this.upstream;
    this.upstream = undefined;
    up?.release(false);
    this.account(undefined);
  }
}
