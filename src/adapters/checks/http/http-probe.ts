/** One HTTP request and what its answer must look like. */
export interface HttpProbeRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Accepted statuses. Default: any 2xx. */
  expectStatus?: number | number[];
  /** Slower than this fails the probe. */
  maxLatencyMs?: number;
  /** A regular expression the body must match. */
  bodyMatch?: string;
  /** Default 10 s. */
  timeoutMs?: number;
}

export interface HttpProbeResult {
  ok: boolean;
  durationMs: number;
  message: string;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

const MAX_BODY = 1024 * 1024;

/**
 * Sends one request (fetch) and judges the answer: status, latency ceiling (time to the
 * whole body), body match. Never throws for the remote side's behaviour: a refused
 * connection or a timeout is a failed probe with the reason.
 */
export async function httpProbe(
  request: HttpProbeRequest,
  signal?: AbortSignal,
): Promise<HttpProbeResult> {
  const timeoutMs = request.timeoutMs ?? 10_000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const label = `${request.method ?? 'GET'} ${request.url}`;
  let res: Response;
  let body: string;
  try {
    res = await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      body: request.body ?? null,
      redirect: 'manual',
      signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
    });
    body = (await res.text()).slice(0, MAX_BODY);
  } catch (err) {
    if (signal?.aborted) throw err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = deadline.aborted
      ? `no answer within ${timeoutMs} ms`
      : (cause?.code ?? cause?.message ?? (err as Error).message);
    return { ok: false, durationMs: elapsed(), message: `${label}: ${why}` };
  }
  const durationMs = elapsed();
  const headers = Object.fromEntries(res.headers.entries());
  const base = { durationMs, status: res.status, headers, body };
  const expected = request.expectStatus;
  const statusOk =
    expected === undefined
      ? res.status >= 200 && res.status < 300
      : (Array.isArray(expected) ? expected : [expected]).includes(res.status);
  if (!statusOk) {
    const want = expected === undefined ? '2xx' : String(expected);
    return { ...base, ok: false, message: `${label}: HTTP ${res.status}, expected ${want}` };
  }
  if (request.maxLatencyMs !== undefined && durationMs > request.maxLatencyMs) {
    return {
      ...base,
      ok: false,
      message: `${label}: took ${durationMs} ms, over the ${request.maxLatencyMs} ms ceiling`,
    };
  }
  if (request.bodyMatch !== undefined && !new RegExp(request.bodyMatch).test(body)) {
    return {
      ...base,
      ok: false,
      message: `${label}: body does not match /${request.bodyMatch}/ (starts ${JSON.stringify(body.slice(0, 120))})`,
    };
  }
  return { ...base, ok: true, message: `${label}: HTTP ${res.status} in ${durationMs} ms` };
}
