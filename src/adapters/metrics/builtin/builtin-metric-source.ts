import type { MetricRead, MetricSource, MetricWindow } from '../../../ports/metric-source.js';
import type { RouteTarget } from '../../../ports/router.js';

export interface BuiltinMetricSourceOptions {
  /** The router's admin base URL, e.g. http://127.0.0.1:9901 */
  adminUrl: string;
  token?: string;
  timeoutMs?: number;
}

function isMetricRead(v: unknown): v is MetricRead {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as {
    ok?: unknown;
    batch?: { baseline?: unknown; canary?: unknown };
    reason?: unknown;
  };
  if (r.ok === true) {
    return typeof r.batch?.baseline === 'object' && typeof r.batch?.canary === 'object';
  }
  return r.ok === false && typeof r.reason === 'string';
}

/**
 * MetricSource port over the built-in router's measurements (`GET /v1/measurements`): the
 * router keeps per-second slots per version, and this reads any window of them. It never
 * throws for missing data: an unreachable router or an empty window is `ok: false` with the
 * reason, and the judge treats it as inconclusive.
 */
export class BuiltinMetricSource implements MetricSource {
  readonly name = 'builtin';
  private readonly base: string;

  constructor(private readonly options: BuiltinMetricSourceOptions) {
    this.base = options.adminUrl.replace(/\/+$/, '');
  }

  async read(target: RouteTarget, window: MetricWindow, signal?: AbortSignal): Promise<MetricRead> {
    const where = `${target.service}/${target.environment} (built-in router ${this.base})`;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 5_000);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const url = `${this.base}/v1/measurements?from=${Math.floor(window.from)}&to=${Math.ceil(window.to)}`;
    try {
      const res = await fetch(url, {
        headers,
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
      const json: unknown = await res.json().catch(() => undefined);
      if (res.ok && isMetricRead(json)) return json;
      const message = (json as { error?: { message?: string } } | undefined)?.error?.message;
      return {
        ok: false,
        reason: `measurements from ${where} failed with HTTP ${res.status}${message ? `: ${message}` : ''}`,
        retryable: res.status >= 500,
      };
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      return {
        ok: false,
        reason: `cannot reach ${where}: ${(err as Error).message}`,
        retryable: true,
      };
    }
  }
}
