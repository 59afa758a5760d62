import { connect, type Socket } from 'node:net';

/**
 * One read buffer for every upstream socket of the process (`net` `onread`): reads land in it
 * and reach the exchange without a Buffer allocated and a 'data' event emitted per read.
 * Safe to share: a read is handled to the end before the next one lands.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** What an upstream connection reports to the exchange that holds it. */
export interface UpstreamUser {
  /**
   * Bytes from the upstream. `chunk` is a view of a shared read buffer, valid only during
   * the call: copy what must outlive it (a partial head, bytes written asynchronously).
   */
  onUpstreamData(chunk: Buffer): void;
  onUpstreamEnd(error: NodeJS.ErrnoException | undefined): void;
  onUpstreamTimeout(): void;
}

/** One kept-alive TCP connection to an upstream instance. */
export class UpstreamConnection {
  user: UpstreamUser | undefined;
  /** Has carried a response before (a failure on it may be a stale keep-alive). */
  reused = false;
  connected = false;
  /** When it last went back to the pool (for the idle reaper). */
  idleSince = 0;
  /** The inactivity timeout the socket has now. */
  private timeoutMs = 0;
  private error: NodeJS.ErrnoException | undefined;

  readonly socket: Socket;

  constructor(
    host: string,
    port: number,
    private readonly pool: UpstreamSockets,
  ) {
    const socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n) => {
          this.read(READ_BUFFER.subarray(0, n));
          return true;
        },
      },
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      const u = this.user;
      if (u !== undefined) this.setTimeoutMs(pool.timeouts.headersMs);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err;
    });
    socket.on('close', () => {
      pool.forget(this);
      const u = this.user;
      this.user = undefined;
      u?.onUpstreamEnd(this.error);
    });
    socket.on('timeout', () => {
      const u = this.user;
      if (u === undefined) socket.destroy();
      else u.onUpstreamTimeout();
    });
  }

  /**
   * Set the socket's inactivity timeout, only when it changes: `socket.setTimeout` makes a
   * new timer each call, and reads and writes restart the one there is anyway.
   */
  setTimeoutMs(ms: number): void {
    if (ms === this.timeoutMs) return;
    this.timeoutMs = ms;
    this.socket.setTimeout(ms);
  }

  private read(chunk: Buffer): void {
    const u = this.user;
    if (u === undefined) this.socket.destroy();
    else u.onUpstreamData(chunk);
  }

  get timeouts(): UpstreamTimeouts {
    return this.pool.timeouts;
  }

  /** Give the connection back for the next request, or close it. */
  release(reusable: boolean): void {
    this.user = undefined;
    if (!reusable || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    this.reused = true;
    this.socket.resume();
    this.pool.idle(this);
  }
}

export interface UpstreamTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
  /** How long an idle kept-alive connection stays open. */
  idleMs: number;
}

/**
 * Kept-alive raw TCP connections to one upstream instance (an `http:` URL), at most `max`
 * at a time; requests beyond that wait for one to come back, first come first served.
 */
export class UpstreamSockets {
  private readonly host: string;
  private readonly port: number;
  private readonly free: UpstreamConnection[] = [];
  private readonly waiting: ((c: UpstreamConnection) => void)[] = [];
  private open = 0;
  private closed = false;
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    url: string,
    private readonly max: number,
    readonly timeouts: UpstreamTimeouts,
  ) {
    const u = new URL(url);
    this.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(u.port || '80');
  }

  /** A connection for `user`: an idle one, a new one, or the next one released. */
  acquire(user: UpstreamUser, fresh: boolean, give: (c: UpstreamConnection) => void): void {
    if (!fresh) {
      let c = this.free.pop();
      while (c?.socket.destroyed) c = this.free.pop();
      if (c !== undefined) {
        c.user = user;
        c.setTimeoutMs(this.timeouts.headersMs);
        give(c);
        return;
      }
    }
    if (this.open < this.max || fresh) {
      give(this.connectNew(user));
      return;
    }
    this.waiting.push((c) => {
      c.user = user;
      if (c.connected) c.setTimeoutMs(this.timeouts.headersMs);
      give(c);
    });
  }

  private connectNew(user: UpstreamUser): UpstreamConnection {
    this.open++;
    const c = new UpstreamConnection(this.host, this.port, this);
    c.user = user;
    c.setTimeoutMs(this.timeouts.connectMs);
    return c;
  }

  /** Called by a connection that can take another request. */
  idle(c: UpstreamConnection): void {
    if (this.closed) {
      c.socket.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      next(c);
      return;
    }
    c.idleSince = performance.now();
    this.free.push(c);
    this.reaper ??= setInterval(() => this.reap(), Math.max(100, this.timeouts.idleMs / 4));
    this.reaper.unref();
  }

  /** Called once by a connection that closed. */
  forget(c: UpstreamConnection): void {
    this.open--;
    const i = this.free.indexOf(c);
    if (i !== -1) this.free.splice(i, 1);
    // A slot opened: a waiting request gets a new connection.
    const next = this.waiting.shift();
    if (next !== undefined && !this.closed) {
      this.open++;
      const fresh = new UpstreamConnection(this.host, this.port, this);
      fresh.setTimeoutMs(this.timeouts.connectMs);
      next(fresh);
    }
  }

  /**
   * Close connections idle for `idleMs` or more. Idle connections keep the socket timeout of
   * their last request (no new timer per request); when that is shorter than `idleMs`, the
   * socket's own timeout closes them first.
   */
  private reap(): void {
    const limit = performance.now() - this.timeouts.idleMs;
    for (const c of [...this.free]) if (c.idleSince <= limit) c.socket.destroy();
  }

  destroy(): void {
    this.closed = true;
    if (this.reaper !== undefined) clearInterval(this.reaper);
    this.reaper = undefined;
    for (const c of this.free.splice(0)) c.socket.destroy();
  }
}
