import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ErrorKind } from './router-metrics.js';

/** Headers that describe one hop, never forwarded (RFC 9110 §7.6.1), plus ones undici refuses. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/**
 * The client went away: aborts the upstream request. undici accepts any emitter with an
 * `aborted` flag and an `abort` event, which costs less per request than an AbortController.
 */
class ClientGone extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

export interface ForwardOptions {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Response header naming the arm that served the request. */
  armHeader: { name: string; value: string };
  /** Gauge names the upstream may report as `x-rollgate-gauge-<name>`. */
  gauges: readonly string[];
  /** Ask the client to close its connection (the router is draining). */
  closeConnection: boolean;
}

export interface ForwardResult {
  status: number;
  error: ErrorKind | undefined;
  /** The client went away before the response was complete. */
  clientAborted: boolean;
  gauges: Record<string, number> | undefined;
}

function requestHeaders(req: IncomingMessage): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  const raw = req.headers;
  for (const name in raw) {
    if (!HOP_BY_HOP.has(name)) out[name] = raw[name];
  }
  const xff = raw['x-forwarded-for'];
  const peer = req.socket.remoteAddress ?? '';
  out['x-forwarded-for'] = xff === undefined ? peer : `${xff}, ${peer}`;
  return out;
}

function responseHeaders(
  headers: Record<string, string | string[] | undefined>,
  opts: ForwardOptions,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined && !HOP_BY_HOP.has(name)) out[name] = v;
  }
  out[opts.armHeader.name] = opts.armHeader.value;
  if (opts.closeConnection) out.connection = 'close';
  return out;
}

function gaugesOf(
  headers: Record<string, string | string[] | undefined>,
  names: readonly string[],
): Record<string, number> | undefined {
  let out: Record<string, number> | undefined;
  for (const name of names) {
    const v = headers[`x-rollgate-gauge-${name}`];
    if (typeof v !== 'string') continue;
    const n = Number(v);
    if (Number.isFinite(n)) {
      out ??= {};
      out[name] = n;
    }
  }
  return out;
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return len !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Whether a failed attempt may be sent again: nothing reached the client, no body to replay. */
function retryable(err: unknown, req: IncomingMessage, res: ServerResponse): boolean {
  if (res.headersSent || hasBody(req)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') return false;
  const code = (err as { code?: string }).code;
  // A kept-alive connection the upstream closed just as we reused it.
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

/**
 * Forward one request to an upstream pool and stream the response back. Never throws:
 * upstream failures become 502 (connection refused, reset) or 504 (connect, headers or body
 * timeout) and are reported as errors of the arm that was chosen.
 */
export async function forward(
  upstream: () => Dispatcher,
  req: IncomingMessage,
  res: ServerResponse,
  opts: ForwardOptions,
): Promise<ForwardResult> {
  const gone = new ClientGone();
  const onClose = () => {
    if (!res.writableFinished) gone.abort();
  };
  res.once('close', onClose);
  let status = 0;
  let gauges: Record<string, number> | undefined;
  const dispatch = (dispatcher: Dispatcher) =>
    dispatcher.stream(
      {
        method: req.method as Dispatcher.HttpMethod,
        path: req.url ?? '/',
        headers: requestHeaders(req),
        body: hasBody(req) ? req : null,
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
        signal: gone,
      },
      ({ statusCode, headers }) => {
        status = statusCode;
        gauges = gaugesOf(headers, opts.gauges);
        res.writeHead(statusCode, responseHeaders(headers, opts));
        return res;
      },
    );
  try {
    try {
      await dispatch(upstream());
    } catch (err) {
      if (!retryable(err, req, res) || gone.aborted) throw err;
      await dispatch(upstream());
    }
    return { status, error: status >= 500 ? '5xx' : undefined, clientAborted: false, gauges };
  } catch (err) {
    if (gone.aborted) {
      return { status: status || 499, error: undefined, clientAborted: true, gauges };
    }
    const code = (err as { code?: string }).code ?? '';
    const kind: ErrorKind = TIMEOUT_CODES.has(code) ? 'timeout' : 'reset';
    if (!res.headersSent) {
      const s = kind === 'timeout' ? 504 : 502;
      const body = JSON.stringify({
        error: {
          code: kind === 'timeout' ? 'upstream_timeout' : 'upstream_unavailable',
          message: `${opts.armHeader.value} upstream ${kind === 'timeout' ? 'timed out' : 'failed'} (${code || 'error'})`,
        },
      });
      res.writeHead(s, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        [opts.armHeader.name]: opts.armHeader.value,
        ...(opts.closeConnection ? { connection: 'close' } : {}),
      });
      res.end(body);
      return { status: s, error: kind, clientAborted: false, gauges };
    }
    // The response had started: cut it so the client sees the failure, not a short body.
    res.destroy();
    return { status, error: kind, clientAborted: false, gauges };
  } finally {
    res.off('close', onClose);
  }
}
