import { connect, type Socket } from 'node:net';

/** What an upstream connection reports to the exchange that holds it. */
export interface UpstreamUser {
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
  private error: NodeJS.ErrnoException | undefined;

  constructor(
    readonly socket: Socket,
    private readonly pool: UpstreamSockets,
  ) {
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      const u = this.user;
      if (u !== undefined) socket.setTimeout(pool.timeouts.headersMs);
    });
    socket.on('data', (chunk: Buffer) => {
      const u = this.user;
      if (u === undefined) socket.destroy();
      else u.onUpstreamData(chunk);
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
        c.socket.setTimeout(this.timeouts.headersMs);
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
      if (c.connected) c.socket.setTimeout(this.timeouts.headersMs);
      give(c);
    });
  }

  private connectNew(user: UpstreamUser): UpstreamConnection {
    this.open++;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    const c = new UpstreamConnection(socket, this);
    c.user = user;
    socket.setTimeout(this.timeouts.connectMs);
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
    c.socket.setTimeout(this.timeouts.idleMs);
    this.free.push(c);
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
      const socket = connect({ host: this.host, port: this.port, noDelay: true });
      const fresh = new UpstreamConnection(socket, this);
      socket.setTimeout(this.timeouts.connectMs);
      next(fresh);
    }
  }

  destroy(): void {
    this.closed = true;
    for (const c of this.free.splice(0)) c.socket.destroy();
  }
}
