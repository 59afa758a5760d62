import { Pool } from 'undici';
import { RollgateError } from '../core/errors/rollgate-error.js';
import { seededRandom } from './seeded-random.js';

export interface LoadTarget {
  method: 'GET' | 'POST';
  path: string;
  /** Relative share of the traffic. */
  weight: number;
}

/** The demo mix: mostly reads, a third payments (seed 000's payment-service story). */
export const DEFAULT_MIX: LoadTarget[] = [
  { method: 'GET', path: '/v1/health', weight: 10 },
  { method: 'GET', path: '/v1/contacts', weight: 30 },
  { method: 'GET', path: '/v1/jobs', weight: 30 },
  { method: 'POST', path: '/v1/payment/process', weight: 30 },
];

export interface LoadOptions {
  /** Base URL, usually the router. */
  url: string;
  /** Requests per second, sent on schedule whether or not earlier ones finished (open loop). */
  rate: number;
  /** Stop after this long … */
  durationMs?: number;
  /** … or after this many requests, whichever comes first. At least one of the two. */
  count?: number;
  /** Size of the user population; each request carries one user's key. 0 = no key. */
  users?: number;
  unitHeader?: string;
  mix?: LoadTarget[];
  /** Per-request timeout; a timeout counts as a failure. */
  timeoutMs?: number;
  /** Requests in flight beyond this are not sent but counted as `dropped`. */
  maxInflight?: number;
  connections?: number;
  seed?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Called for every finished request. */
  onResponse?: (r: LoadResponse) => void;
}

export interface LoadResponse {
  /** performance.now() when the request was sent. */
  sentAt: number;
  path: string;
  unit: string | undefined;
  /** HTTP status, 0 for a network error or timeout. */
  status: number;
  ok: boolean;
  /** The router's `x-rollgate-arm`, when present. */
  arm: string | undefined;
  /** The service's `x-demo-version`, when present. */
  version: string | undefined;
  seconds: number;
}

export interface LoadReport {
  sent: number;
  succeeded: number;
  /** 5xx responses, resets and timeouts. */
  failed: number;
  dropped: number;
  byStatus: Record<string, number>;
  /** Per arm (router header) or "unknown". */
  byArm: Record<string, { requests: number; failed: number }>;
  durationMs: number;
}

function pickTarget(mix: LoadTarget[], total: number, r: number): LoadTarget {
  let x = r * total;
  for (const t of mix) {
    x -= t.weight;
    if (x < 0) return t;
  }
  return mix[mix.length - 1] as LoadTarget;
}

/**
 * Open-loop load: requests leave on a fixed schedule (`rate` per second) from a population of
 * users, bounded by duration and/or count. Counts what it saw, so a test can compare the
 * client's view with the router's measurements.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  if (!(options.rate > 0)) {
    throw new RollgateError('invalid_input', `load rate must be > 0, got ${options.rate}`);
  }
  if (options.durationMs === undefined && options.count === undefined) {
    throw new RollgateError('invalid_input', 'load needs durationMs or count to be bounded');
  }
  const mix = options.mix ?? DEFAULT_MIX;
  const totalWeight = mix.reduce((s, t) => s + t.weight, 0);
  const users = options.users ?? 1000;
  const unitHeader = options.unitHeader ?? 'x-rollgate-unit';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxInflight = options.maxInflight ?? 2_000;
  const random = seededRandom(options.seed ?? 42);
  const pool = new Pool(options.url, { connections: options.connections ?? 64 });
  const report: LoadReport = {
    sent: 0,
    succeeded: 0,
    failed: 0,
    dropped: 0,
    byStatus: {},
    byArm: {},
    durationMs: 0,
  };
  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const deadline = options.durationMs ?? Number.POSITIVE_INFINITY;
  const inflight = new Set<Promise<void>>();
  const t0 = performance.now();
  let scheduled = 0;

  const one = async () => {
    const target = pickTarget(mix, totalWeight, random());
    const unit = users > 0 ? `user-${Math.floor(random() * users)}` : undefined;
    const headers: Record<string, string> = { ...options.headers };
    if (unit !== undefined) headers[unitHeader] = unit;
    let body: string | undefined;
    if (target.method === 'POST') {
      body = '{"amount":1299,"currency":"EUR"}';
      headers['content-type'] = 'application/json';
    }
    const sentAt = performance.now();
    let status = 0;
    let arm: string | undefined;
    let version: string | undefined;
    try {
      const res = await pool.request({
        method: target.method,
        path: target.path,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      status = res.statusCode;
      arm = res.headers['x-rollgate-arm'] as string | undefined;
      version = res.headers['x-demo-version'] as string | undefined;
    } catch {
      status = 0;
    }
    const ok = status > 0 && status < 500;
    report.byStatus[String(status)] = (report.byStatus[String(status)] ?? 0) + 1;
    const a = report.byArm[arm ?? 'unknown'] ?? { requests: 0, failed: 0 };
    report.byArm[arm ?? 'unknown'] = a;
    a.requests++;
    if (ok) report.succeeded++;
    else {
      report.failed++;
      a.failed++;
    }
    options.onResponse?.({
      sentAt,
      path: target.path,
      unit,
      status,
      ok,
      arm,
      version,
      seconds: (performance.now() - sentAt) / 1000,
    });
  };

  try {
    while (scheduled < limit && !options.signal?.aborted) {
      const elapsed = performance.now() - t0;
      if (elapsed >= deadline) break;
      const due = Math.min(limit, Math.floor((elapsed * options.rate) / 1000) + 1);
      while (scheduled < due) {
        scheduled++;
        if (inflight.size >= maxInflight) {
          report.dropped++;
          continue;
        }
        report.sent++;
        const p: Promise<void> = one().finally(() => inflight.delete(p));
        inflight.add(p);
      }
      const nextAt = (scheduled * 1000) / options.rate;
      await new Promise((r) => setTimeout(r, Math.max(1, nextAt - (performance.now() - t0))));
    }
    await Promise.all(inflight);
  } finally {
    report.durationMs = performance.now() - t0;
    await pool.close();
  }
  return report;
}
