/** One series of an instant-vector answer. */
export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, "value"] */
  value: [number, string];
}

export type PromAnswer =
  | { ok: true; samples: PromSample[] }
  | { ok: false; reason: string; retryable: boolean };

export interface PrometheusHttpOptions {
  /** Base URL of a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics). */
  url: string;
  /** Extra request headers (Authorization, X-Scope-OrgID), secrets already resolved. */
  headers?: Record<string, string>;
  timeoutMs: number;
}

/**
 * `GET /api/v1/query` (instant query) with a deadline. Never throws: Prometheus down, slow
 * or answering an error is an answer with the reason and whether trying again can help.
 */
export async function promInstantQuery(
  options: PrometheusHttpOptions,
  query: string,
  timeSeconds: number,
  signal?: AbortSignal,
): Promise<PromAnswer> {
  const base = options.url.replace(/\/+$/, '');
  const params = new URLSearchParams({
    query,
    time: timeSeconds.toFixed(3),
    timeout: `${Math.max(1, Math.floor(options.timeoutMs / 1000))}s`,
  });
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/query`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...options.headers,
      },
      body: params.toString(),
      signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
    });
  } catch (err) {
    if (deadline.aborted) {
      return {
        ok: false,
        reason: `Prometheus at ${base} did not answer within ${options.timeoutMs} ms`,
        retryable: true,
      };
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      reason: `Prometheus at ${base} is unreachable: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      retryable: true,
    };
  }
  let body: { status?: string; error?: string; errorType?: string; data?: unknown };
  const text = await res.text().catch(() => '');
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return {
      ok: false,
      reason: `Prometheus at ${base} answered HTTP ${res.status} without JSON: ${text.slice(0, 200)}`,
      retryable: res.status >= 500 || res.status === 429,
    };
  }
  if (body.status !== 'success') {
    const retryable =
      res.status >= 500 ||
      res.status === 429 ||
      body.errorType === 'timeout' ||
      body.errorType === 'unavailable';
    return {
      ok: false,
      reason: `Prometheus rejected the query (HTTP ${res.status}, ${body.errorType ?? 'error'}): ${body.error ?? 'no message'}`,
      retryable,
    };
  }
  const data = body.data as { resultType?: string; result?: unknown } | undefined;
  if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
    return {
      ok: false,
      reason: `the query returns a ${data?.resultType ?? 'strange result'}, not an instant vector: ${query}`,
      retryable: false,
    };
  }
  return { ok: true, samples: data.result as PromSample[] };
}
