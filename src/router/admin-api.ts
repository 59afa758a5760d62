import type { IncomingMessage, ServerResponse } from 'node:http';
import { coerceError } from '../core/errors/rollgate-error.js';
import type { MetricRead } from '../ports/metric-source.js';

/** What the admin API needs from the router. */
export interface AdminTarget {
  readonly weight: number;
  readonly inflightRequests: number;
  readonly isDraining: boolean;
  readonly config: { admin: { token?: string | undefined } };
  /** Resolves once the weight is in force for new requests; throws on an invalid weight. */
  setWeight(weight: unknown): number | Promise<number>;
  read(fromMs: number, toMs: number): MetricRead | Promise<MetricRead>;
  metricsText(): Promise<string>;
}

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function fail(res: ServerResponse, status: number, code: string, message: string, hint?: string) {
  send(res, status, { error: { code, message, ...(hint === undefined ? {} : { hint }) } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The router's admin API (docs/router.md):
 * - `GET /v1/weight` → `{ weight }`
 * - `PUT /v1/weight` `{ weight }` → `{ weight, previous }`, 400 on an invalid weight
 * - `GET /v1/measurements?from=<ms>&to=<ms>` → a MetricRead (`ok: false` when no data)
 * - `GET /v1/health` → `{ status, weight, inflight, draining }`
 * - `GET /metrics` → Prometheus text (never behind the token, like any scrape target)
 */
export function createAdminHandler(router: AdminTarget) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(router, req, res).catch((err: unknown) => {
      if (!res.headersSent) fail(res, 500, 'internal', coerceError(err).message);
      else res.destroy();
    });
  };
}

async function handle(router: AdminTarget, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://admin');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/metrics' && method === 'GET') {
    const text = await router.metricsText();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
    return;
  }
  const token = router.config.admin.token;
  if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
    fail(res, 401, 'unauthorized', 'admin API needs Authorization: Bearer <token>');
    return;
  }
  if (path === '/v1/weight') {
    if (method === 'GET') return send(res, 200, { weight: router.weight });
    if (method === 'PUT' || method === 'POST') {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        return fail(
          res,
          400,
          'invalid_input',
          `PUT /v1/weight: body is not JSON (${coerceError(err).message})`,
          'send {"weight": 10}',
        );
      }
      const weight = (body as { weight?: unknown } | null)?.weight;
      try {
        const previous = await router.setWeight(weight);
        return send(res, 200, { weight: router.weight, previous });
      } catch (err) {
        const e = coerceError(err);
        return fail(res, 400, e.code, `PUT /v1/weight: ${e.message}`, e.hint);
      }
    }
    return fail(res, 405, 'invalid_input', `${method} /v1/weight is not allowed; use GET or PUT`);
  }
  if (path === '/v1/measurements' && method === 'GET') {
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    if (!url.searchParams.has('from') || !url.searchParams.has('to') || !(to > from)) {
      return fail(
        res,
        400,
        'invalid_input',
        'GET /v1/measurements needs from < to, in milliseconds since the epoch',
        'e.g. /v1/measurements?from=1700000000000&to=1700000060000',
      );
    }
    return send(res, 200, await router.read(from, to));
  }
  if (path === '/v1/health' && method === 'GET') {
    return send(res, 200, {
      status: router.isDraining ? 'draining' : 'ok',
      weight: router.weight,
      inflight: router.inflightRequests,
      draining: router.isDraining,
    });
  }
  fail(res, 404, 'not_found', `no admin route ${method} ${path}`);
}
