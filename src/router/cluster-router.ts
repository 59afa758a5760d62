import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import { coerceError, RollgateError } from '../core/errors/rollgate-error.js';
import type { MetricRead } from '../ports/metric-source.js';
import { createAdminHandler } from './admin-api.js';
import { type FromWorker, type ToWorker, WORKER_CONFIG_ENV } from './cluster-messages.js';
import { mergeRawReads, type RawRead } from './measurement-ring.js';
import { type RouterConfig, type RouterConfigInput, RouterConfigSchema } from './router-config.js';
import { validateWeight } from './traffic-splitter.js';

const ASK_TIMEOUT_MS = 2_000;
const START_TIMEOUT_MS = 15_000;

interface WorkerState {
  worker: Worker;
  inflight: number;
}

type Pending = {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
};

/**
 * The built-in router on several cores (`workers > 1`, ADR 0051): node:cluster workers
 * share the listening port and proxy; this primary serves the admin API, broadcasts a weight
 * change to every worker and answers the PUT only once all of them apply it, merges the
 * workers' measurement rings for window reads (distinct units exactly), aggregates their
 * `/metrics`, and replaces a worker that dies.
 */
export class ClusterRouter {
  readonly config: RouterConfig;
  private currentWeight: number;
  private readonly workers = new Map<number, WorkerState>();
  private readonly pending = new Map<number, Pending>();
  private readonly admin: Server;
  private readonly registry = new Registry();
  private nextId = 1;
  private draining = false;
  private closing: Promise<void> | undefined;
  private port = 0;
  private adminPort = 0;

  private constructor(config: RouterConfig) {
    this.config = config;
    this.currentWeight = config.weight;
    this.admin = createServer(createAdminHandler(this));
    const self = this;
    new Gauge({
      name: 'rollgate_router_canary_weight_percent',
      help: 'Canary weight in force for new requests.',
      registers: [this.registry],
      collect() {
        this.set(self.currentWeight);
      },
    });
    new Gauge({
      name: 'rollgate_router_workers',
      help: 'Router worker processes running.',
      registers: [this.registry],
      collect() {
        this.set(self.workers.size);
      },
    });
    new Gauge({
      name: 'rollgate_router_units',
      help: `Distinct unit keys seen over the last ${config.unitsWindowSeconds} s.`,
      labelNames: ['version'],
      registers: [this.registry],
      async collect() {
        const now = Date.now();
        const read = await self.read(now - config.unitsWindowSeconds * 1000, now + 1);
        this.set({ version: 'stable' }, read.ok ? (read.batch.baseline.units ?? 0) : 0);
        this.set({ version: 'canary' }, read.ok ? (read.batch.canary.units ?? 0) : 0);
      },
    });
  }

  static async start(input: RouterConfigInput): Promise<ClusterRouter> {
    const parsed = RouterConfigSchema.safeParse(input);
    if (!parsed.success) {
      throw new RollgateError(
        'invalid_input',
        `invalid router config: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
        { hint: 'see docs/router.md for the router options' },
      );
    }
    const router = new ClusterRouter(parsed.data);
    const isTs = import.meta.url.endsWith('.ts');
    cluster.setupPrimary({
      exec: fileURLToPath(new URL(`./router-worker-main.${isTs ? 'ts' : 'js'}`, import.meta.url)),
      execArgv: isTs ? ['--import', 'tsx'] : [],
      args: [],
    });
    try {
      const ports = await Promise.all(
        Array.from({ length: parsed.data.workers }, () => router.fork()),
      );
      router.port = ports[0] ?? 0;
      router.adminPort = await new Promise<number>((resolve, reject) => {
        router.admin.once('error', reject);
        router.admin.listen(parsed.data.admin.port, parsed.data.admin.host, () =>
          resolve((router.admin.address() as AddressInfo).port),
        );
      });
    } catch (err) {
      await router.close();
      throw coerceError(err, 'invalid_input');
    }
    return router;
  }

  get url(): string {
    return `http://${this.config.listen.host}:${this.port}`;
  }

  get adminUrl(): string {
    return `http://${this.config.admin.host}:${this.adminPort}`;
  }

  get weight(): number {
    return this.currentWeight;
  }

  get inflightRequests(): number {
    let n = 0;
    for (const w of this.workers.values()) n += w.inflight;
    return n;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  get workerPids(): number[] {
    return [...this.workers.values()].map((w) => w.worker.process.pid ?? -1);
  }

  /** Resolves once every worker routes new requests with the new weight. */
  async setWeight(weight: unknown): Promise<number> {
    const w = validateWeight(weight);
    const previous = this.currentWeight;
    this.currentWeight = w; // a worker forked from now on starts with it
    const answers = await Promise.all(
      [...this.workers.values()].map((s) =>
        this.ask(s.worker, (id) => ({ t: 'weight', id, weight: w })),
      ),
    );
    const failed = answers.find((a) => a.t === 'weight' && !a.ok);
    if (failed !== undefined && failed.t === 'weight' && !failed.ok) {
      throw new RollgateError(
        'provider_error',
        `a router worker refused the weight: ${failed.message}`,
      );
    }
    return previous;
  }

  /** Merge every worker's ring; a worker that does not answer makes the window "no data". */
  async read(fromMs: number, toMs: number): Promise<MetricRead> {
    try {
      const answers = await Promise.all(
        [...this.workers.values()].map((s) =>
          this.ask(s.worker, (id) => ({ t: 'read', id, from: fromMs, to: toMs })),
        ),
      );
      return mergeRawReads(
        answers.map(
          (a): RawRead =>
            a.t === 'read'
              ? a.raw
              : { ok: false, reason: 'unexpected worker answer', retryable: true },
        ),
      );
    } catch (err) {
      return {
        ok: false,
        reason: `a router worker did not report its measurements: ${coerceError(err).message}`,
        retryable: true,
      };
    }
  }

  async metricsText(): Promise<string> {
    const answers = await Promise.all(
      [...this.workers.values()].map((s) => this.ask(s.worker, (id) => ({ t: 'metrics', id }))),
    );
    const aggregated = AggregatorRegistry.aggregate(
      answers.map((a) => (a.t === 'metrics' ? a.json : [])) as never,
    );
    return Registry.merge([aggregated as Registry, this.registry]).metrics();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    const exits = [...this.workers.values()].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.worker.isDead()) return resolve();
          s.worker.once('exit', () => resolve());
          try {
            s.worker.send({ t: 'drain' } satisfies ToWorker);
          } catch {
            s.worker.process.kill('SIGKILL');
          }
          const t = setTimeout(() => s.worker.process.kill('SIGKILL'), this.config.drainMs + 2_000);
          t.unref();
        }),
    );
    await Promise.all(exits);
    await new Promise<void>((resolve) => {
      if (!this.admin.listening) return resolve();
      this.admin.close(() => resolve());
      this.admin.closeAllConnections();
    });
  }

  /** Fork one worker with the weight in force now; resolves with the port it listens on. */
  private fork(): Promise<number> {
    const worker = cluster.fork({
      [WORKER_CONFIG_ENV]: JSON.stringify({ ...this.config, weight: this.currentWeight }),
    });
    const state: WorkerState = { worker, inflight: 0 };
    this.workers.set(worker.id, state);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.process.kill('SIGKILL');
        reject(
          new RollgateError('timeout', `router worker did not start in ${START_TIMEOUT_MS} ms`),
        );
      }, START_TIMEOUT_MS);
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') {
          clearTimeout(timer);
          resolve(m.port);
        } else if (m.t === 'stats') {
          state.inflight = m.inflight;
        } else {
          const p = this.pending.get(m.id);
          if (p !== undefined) {
            this.pending.delete(m.id);
            clearTimeout(p.timer);
            p.resolve(m);
          }
        }
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        this.workers.delete(worker.id);
        reject(
          new RollgateError('internal', `router worker exited with ${code} before it was ready`),
        );
        if (!this.draining) {
          process.stderr.write(
            `rollgate router: worker ${worker.process.pid} exited (${code}); replacing it\n`,
          );
          setTimeout(() => {
            if (!this.draining) this.fork().catch(() => undefined);
          }, 200).unref();
        }
      });
    });
  }

  private ask(worker: Worker, build: (id: number) => ToWorker): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RollgateError('timeout', `router worker ${worker.process.pid} did not answer`));
      }, ASK_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      try {
        worker.send(build(id));
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(coerceError(err));
      }
    });
  }
}
