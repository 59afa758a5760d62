import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { coerceError, RollgateError } from '../core/errors/rollgate-error.js';
import type { MetricRead } from '../ports/metric-source.js';
import { createAdminHandler } from './admin-api.js';
import { FastProxy } from './fast-proxy.js';
import { type Arm, MeasurementRing, type RawRead } from './measurement-ring.js';
import { forward } from './reverse-proxy.js';
import { type RouterConfig, type RouterConfigInput, RouterConfigSchema } from './router-config.js';
import { type ErrorKind, RouterMetrics } from './router-metrics.js';
import { type Decision, TrafficSplitter } from './traffic-splitter.js';
import { UpstreamSockets } from './upstream-sockets.js';

export interface RouterDeps {
  /** Wall clock for the measurement windows (ms since the epoch). */
  now?: () => number;
  /** Randomness for requests without a unit key, in [0, 1). */
  random?: () => number;
  /** False in a cluster worker: the primary serves the admin API. */
  adminServer?: boolean;
}

/** Response header naming the version that served a request. */
export const ARM_HEADER = 'x-rollgate-arm';

class UpstreamPool {
  private next = 0;
  constructor(readonly pools: Pool[]) {}
  pick = (): Pool => {
    const p = this.pools[this.next % this.pools.length] as Pool;
    this.next = (this.next + 1) % this.pools.length;
    return p;
  };
}

/** Kept-alive upstream connections idle longer than this are closed (undici's default). */
const UPSTREAM_IDLE_MS = 4_000;

class RawUpstreams {
  private next = 0;
  constructor(readonly pools: UpstreamSockets[]) {}
  pick(): UpstreamSockets {
    const p = this.pools[this.next % this.pools.length] as UpstreamSockets;
    this.next = (this.next + 1) % this.pools.length;
    return p;
  }
}

function listen(
  server: Server | import('node:net').Server,
  host: string,
  port: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * The built-in router: a reverse proxy splitting traffic between a stable and a canary
 * upstream pool by weight, sticky by unit, measuring every request per version and route.
 * An admin server on its own port serves the weight API, window reads and `/metrics`.
 */
export class BuiltinRouter {
  readonly config: RouterConfig;
  private readonly now: () => number;
  private readonly splitter: TrafficSplitter;
  private readonly ring: MeasurementRing;
  private readonly metrics: RouterMetrics;
  private readonly upstreams: Record<Arm, UpstreamPool>;
  /** node:http: requests with a body, upgrades, anything the fast path hands over. */
  private readonly proxy: Server;
  /** The fast path on raw sockets (ADR 0120); unset when an upstream is https. */
  private readonly fast: FastProxy | undefined;
  private readonly raw: Record<Arm, RawUpstreams> | undefined;
  /** What listens on the traffic port: the fast path's server, or node:http's. */
  private readonly front: Server | import('node:net').Server;
  private readonly handedOver = new Set<Socket>();
  private readonly admin: Server;
  private readonly knownRoutes = new Set<string>();
  private inflight = 0;
  private draining = false;
  private closing: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private proxyPort = 0;
  private adminPort = 0;
  private readonly withAdmin: boolean;

  private constructor(config: RouterConfig, deps: RouterDeps) {
    this.config = config;
    this.withAdmin = deps.adminServer ?? true;
    this.now = deps.now ?? Date.now;
    this.splitter = new TrafficSplitter(
      config.weight,
      deps.random ?? Math.random,
      config.unit.seed,
    );
    this.ring = new MeasurementRing(config.retentionSeconds, this.now());
    this.metrics = new RouterMetrics({
      weight: () => this.splitter.weight,
      inflight: () => this.inflight,
      units: () => this.ring.distinctUnits(this.now(), config.unitsWindowSeconds),
      unitsWindowSeconds: config.unitsWindowSeconds,
    });
    const pool = (url: string) =>
      new Pool(url, {
        connections: config.connectionsPerUpstream,
        connect: { timeout: config.timeouts.connectMs },
        headersTimeout: config.timeouts.headersMs,
        bodyTimeout: config.timeouts.bodyMs,
      });
    this.upstreams = {
      stable: new UpstreamPool(config.upstreams.stable.map(pool)),
      canary: new UpstreamPool(config.upstreams.canary.map(pool)),
    };
    this.proxy = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    const plainHttp = [...config.upstreams.stable, ...config.upstreams.canary].every((u) =>
      u.startsWith('http:'),
    );
    if (plainHttp) {
      const timeouts = {
        connectMs: config.timeouts.connectMs,
        headersMs: config.timeouts.headersMs,
        bodyMs: config.timeouts.bodyMs,
        idleMs: UPSTREAM_IDLE_MS,
      };
      const raw = (url: string) =>
        new UpstreamSockets(url, config.connectionsPerUpstream, timeouts);
      const upstreams: Record<Arm, RawUpstreams> = {
        stable: new RawUpstreams(config.upstreams.stable.map(raw)),
        canary: new RawUpstreams(config.upstreams.canary.map(raw)),
      };
      this.raw = upstreams;
      this.fast = new FastProxy({
        unitHeader: config.unit.header,
        overrideHeader: config.overrideHeader,
        armHeader: ARM_HEADER,
        gauges: new Set(config.gauges),
        isDraining: () => this.draining,
        unitOf: (header, cookie) => this.unitFrom(header, cookie),
        decide: (unit, override) => this.splitter.decide(unit, override),
        upstream: (arm) => upstreams[arm].pick(),
        begin: () => {
          this.inflight++;
        },
        end: (decision, unit, target, started, error, gauges) => {
          this.account(decision, unit, target, started, error, gauges);
          this.requestEnded();
        },
        handover: (socket) => {
          this.handedOver.add(socket);
          socket.once('close', () => this.handedOver.delete(socket));
          this.proxy.emit('connection', socket);
        },
      });
      this.front = createNetServer({ noDelay: true }, this.fast.accept);
    } else {
      this.front = this.proxy;
    }
    this.admin = createServer(createAdminHandler(this));
  }

  /** Validate the config, bind both ports, and start routing. */
  static async start(input: RouterConfigInput, deps: RouterDeps = {}): Promise<BuiltinRouter> {
    const parsed = RouterConfigSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new RollgateError('invalid_input', `invalid router config: ${issues}`, {
        hint: 'see docs/router.md for the router options',
      });
    }
    if (parsed.data.workers > 1) {
      throw new RollgateError(
        'invalid_input',
        `router config asks for ${parsed.data.workers} workers, but BuiltinRouter is one process`,
        { hint: 'start it with ClusterRouter.start (router-main does this for workers > 1)' },
      );
    }
    const router = new BuiltinRouter(parsed.data, deps);
    try {
      router.proxyPort = await listen(
        router.front,
        parsed.data.listen.host,
        parsed.data.listen.port,
      );
      if (router.withAdmin) {
        router.adminPort = await listen(
          router.admin,
          parsed.data.admin.host,
          parsed.data.admin.port,
        );
      }
    } catch (err) {
      await router.close();
      throw new RollgateError(
        'invalid_input',
        `router cannot listen: ${coerceError(err).message}`,
        {
          cause: err,
          hint: 'pick a free port, or 0 for any',
        },
      );
    }
    return router;
  }

  /** Where clients send traffic. */
  get url(): string {
    return `http://${this.config.listen.host}:${this.proxyPort}`;
  }

  /** The admin API and `/metrics`. */
  get adminUrl(): string {
    return `http://${this.config.admin.host}:${this.adminPort}`;
  }

  get weight(): number {
    return this.splitter.weight;
  }

  get inflightRequests(): number {
    return this.inflight;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Set the canary weight for new requests; returns the previous one. Throws on a bad weight. */
  setWeight(weight: unknown): number {
    return this.splitter.setWeight(weight);
  }

  /** Measurements of one window, `{baseline, canary}`, or why there are none. */
  read(fromMs: number, toMs: number): MetricRead {
    return this.ring.read(fromMs, toMs, this.now());
  }

  /** The window in mergeable form (cluster workers answer the primary with this). */
  readRaw(fromMs: number, toMs: number): RawRead {
    return this.ring.readRaw(fromMs, toMs, this.now());
  }

  metricsText(): Promise<string> {
    return this.metrics.text();
  }

  /** prom-client's JSON form, which the cluster primary aggregates. */
  metricsJson(): Promise<unknown[]> {
    return this.metrics.registry.getMetricsAsJSON();
  }

  /**
   * Drain and stop: stop accepting connections, let in-flight requests finish (at most
   * `drainMs`), then cut what is left and close the upstream pools.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    const closed = (s: Server | import('node:net').Server) =>
      new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()));
    const proxyClosed = closed(this.front);
    this.fast?.closeIdle();
    this.proxy.closeIdleConnections();
    if (this.inflight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.config.drainMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.fast?.destroyAll();
    this.proxy.closeAllConnections();
    for (const s of this.handedOver) s.destroy();
    await proxyClosed;
    const adminClosed = closed(this.admin);
    this.admin.closeAllConnections();
    await adminClosed;
    const pools = [...this.upstreams.stable.pools, ...this.upstreams.canary.pools];
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
    if (this.raw !== undefined) {
      for (const p of [...this.raw.stable.pools, ...this.raw.canary.pools]) p.destroy();
    }
  }

  private routeOf(url: string): string {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const routes = this.config.routes;
    if (routes !== undefined) {
      for (const r of routes) {
        if (r.endsWith('*') ? path.startsWith(r.slice(0, -1)) : path === r) return r;
      }
      return 'other';
    }
    if (this.knownRoutes.has(path)) return path;
    if (this.knownRoutes.size >= this.config.maxRoutes) return 'other';
    this.knownRoutes.add(path);
    return path;
  }

  private unitOf(req: IncomingMessage): string | undefined {
    const h = req.headers[this.config.unit.header];
    return this.unitFrom(typeof h === 'string' ? h : undefined, req.headers.cookie);
  }

  private unitFrom(header: string | undefined, cookie: string | undefined): string | undefined {
    if (header !== undefined && header !== '') return header;
    const name = this.config.unit.cookie;
    if (name === undefined || cookie === undefined) return undefined;
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim() === name) {
        const v = part.slice(eq + 1).trim();
        return v === '' ? undefined : v;
      }
    }
    return undefined;
  }

  /** Count one finished request (override requests only in their own counter). */
  private account(
    decision: Decision,
    unit: string | undefined,
    url: string,
    started: number,
    error: ErrorKind | undefined,
    gauges: Record<string, number> | undefined,
  ): void {
    const arm = decision.arm;
    if (decision.assignment === 'override') {
      this.metrics.override(arm);
      return;
    }
    const route = this.routeOf(url);
    const seconds = (performance.now() - started) / 1000;
    this.metrics.observe(this.metrics.cells(arm, route), seconds, error);
    this.ring.record(this.now(), {
      arm,
      route,
      unit: decision.assignment === 'unit' ? unit : undefined,
      error: error !== undefined,
      seconds,
      gauges,
    });
  }

  private requestEnded(): void {
    this.inflight--;
    if (this.inflight === 0 && this.idleWaiters.length > 0) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const overrideRaw = req.headers[this.config.overrideHeader];
    const override = typeof overrideRaw === 'string' ? overrideRaw : undefined;
    const unit = this.unitOf(req);
    let decision: ReturnType<TrafficSplitter['decide']>;
    try {
      decision = this.splitter.decide(unit, override);
    } catch (err) {
      const body = JSON.stringify({
        error: { code: 'invalid_input', message: coerceError(err).message },
      });
      res.writeHead(400, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    this.inflight++;
    try {
      const arm = decision.arm;
      const result = await forward(this.upstreams[arm].pick, req, res, {
        headersTimeoutMs: this.config.timeouts.headersMs,
        bodyTimeoutMs: this.config.timeouts.bodyMs,
        armHeader: { name: ARM_HEADER, value: arm },
        gauges: this.config.gauges,
        closeConnection: this.draining,
      });
      this.account(decision, unit, req.url ?? '/', started, result.error, result.gauges);
    } finally {
      this.requestEnded();
    }
  }
}
