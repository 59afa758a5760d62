import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RollgateError } from '../core/errors/rollgate-error.js';
import {
  DEFAULT_LATENCY_MS,
  DEMO_ENDPOINTS,
  type DemoEndpoint,
  type DemoServiceOptions,
  type DemoServiceOptionsInput,
  DemoServiceOptionsSchema,
} from './demo-options.js';
import { seededRandom } from './seeded-random.js';

/** Response header carrying the version that answered. */
export const VERSION_HEADER = 'x-demo-version';

/** Real allocations stop here; beyond it the leak is only counted (keep the machine alive). */
const REAL_LEAK_CAP = 64 * 1024 * 1024;

export interface DemoService {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  /** Requests answered so far. */
  readonly requests: number;
  /** Fraction of the memory budget in use, as reported in `x-rollgate-gauge-memory`. */
  memoryGauge(): number;
  /** Resolves when the service crashed (its crash fault fired) or was closed. */
  readonly stopped: Promise<'crashed' | 'closed'>;
  close(): Promise<void>;
}

export interface DemoServiceHooks {
  /** Called when the crash fault fires, after the server is torn down. Default: nothing. */
  onCrash?: () => void;
}

const BODIES: Record<DemoEndpoint, (version: string) => unknown> = {
  '/v1/health': (version) => ({ status: 'ok', version }),
  '/v1/contacts': () => ({
    contacts: [
      { id: 'c_1', name: 'Ada Lovelace' },
      { id: 'c_2', name: 'Grace Hopper' },
    ],
  }),
  '/v1/jobs': () => ({ jobs: [{ id: 'j_1', state: 'done' }] }),
  '/v1/payment/process': () => ({ payment: { id: 'p_1', status: 'captured' } }),
};

function asEndpoint(path: string): DemoEndpoint | undefined {
  return (DEMO_ENDPOINTS as readonly string[]).includes(path) ? (path as DemoEndpoint) : undefined;
}

/**
 * Start one version of the demo service (node:http) on its own port. Faults from the
 * options make it misbehave the way seed 000's releases did.
 */
export async function startDemoService(
  input: DemoServiceOptionsInput,
  hooks: DemoServiceHooks = {},
): Promise<DemoService> {
  const parsed = DemoServiceOptionsSchema.safeParse(input);
  if (!parsed.success) {
    throw new RollgateError(
      'invalid_input',
      `invalid demo service options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const o: DemoServiceOptions = parsed.data;
  const random = seededRandom(o.seed);
  const leaked: Buffer[] = [];
  let leakedBytes = 0;
  let requests = 0;
  let crashed = false;
  const sockets = new Set<Socket>();
  let resolveStopped: (why: 'crashed' | 'closed') => void = () => undefined;
  const stopped = new Promise<'crashed' | 'closed'>((r) => {
    resolveStopped = r;
  });

  const memoryGauge = () => Math.min(1, o.memoryBaseFraction + leakedBytes / o.memoryLimitBytes);

  const growth = o.faults.memoryGrowth;
  const leakTimer =
    growth === undefined || growth.bytesPerSecond === 0
      ? undefined
      : setInterval(() => {
          const n = Math.round(growth.bytesPerSecond / 10);
          leakedBytes += n;
          if (leakedBytes <= REAL_LEAK_CAP) leaked.push(Buffer.alloc(n, 1));
        }, 100);
  leakTimer?.unref();

  const crash = () => {
    if (crashed) return;
    crashed = true;
    server.close();
    for (const s of sockets) s.destroy();
    if (leakTimer !== undefined) clearInterval(leakTimer);
    leaked.length = 0;
    resolveStopped('crashed');
    hooks.onCrash?.();
  };
  const crashAfterMs = o.faults.crash?.afterMs;
  const crashTimer =
    crashAfterMs === undefined ? undefined : setTimeout(crash, Math.max(0, crashAfterMs));
  crashTimer?.unref();

  const respond = (res: ServerResponse, status: number, body: unknown) => {
    if (crashed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      [VERSION_HEADER]: o.version,
      'x-rollgate-gauge-memory': memoryGauge().toFixed(4),
    });
    res.end(text);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const crashAfter = o.faults.crash?.afterRequests;
    if (crashAfter !== undefined && requests > crashAfter) {
      crash();
      return;
    }
    const q = (req.url ?? '/').indexOf('?');
    const path = q === -1 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q);
    const endpoint = asEndpoint(path);
    // Drain the request body (a payment carries one) before answering.
    req.resume();
    if (endpoint === undefined) {
      respond(res, 404, { error: { code: 'not_found', message: `no route ${path}` } });
      return;
    }
    let status = 200;
    let delay = o.latencyMs[endpoint] ?? DEFAULT_LATENCY_MS[endpoint];
    if (delay > 0 && o.jitter > 0) delay *= 1 + o.jitter * (2 * random() - 1);
    delay += o.faults.latencyShiftMs;
    const tail = o.faults.tailLatency;
    if (tail !== undefined && random() < tail.probability) delay += tail.ms;
    const err = o.faults.errorRate;
    if (err !== undefined && err.endpoint === endpoint && random() < err.rate) status = err.status;
    if (o.testHooks) {
      const s = Number(req.headers['x-demo-status']);
      if (Number.isInteger(s) && s >= 100 && s <= 599) status = s;
      const d = Number(req.headers['x-demo-delay-ms']);
      if (Number.isFinite(d) && d >= 0) delay = d;
    }
    const body =
      status >= 500
        ? { error: { code: 'upstream_error', message: 'payment gateway connection timeout' } }
        : BODIES[endpoint](o.version);
    if (delay <= 0) respond(res, status, body);
    else setTimeout(() => respond(res, status, body), delay);
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve((server.address() as AddressInfo).port));
  });

  return {
    url: `http://${o.host}:${port}`,
    port,
    version: o.version,
    get requests() {
      return requests;
    },
    memoryGauge,
    stopped,
    async close() {
      if (leakTimer !== undefined) clearInterval(leakTimer);
      if (crashTimer !== undefined) clearTimeout(crashTimer);
      leaked.length = 0;
      if (!crashed) {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
      resolveStopped('closed');
    },
  };
}
