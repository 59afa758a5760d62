import type { Check, CheckContext, CheckResult } from '../../../ports/check.js';
import { type HttpProbeRequest, httpProbe } from './http-probe.js';

export interface HttpCheckOptions extends HttpProbeRequest {
  name: string;
  /** Sent with every request, e.g. the router's override header to reach the canary. */
  routeHeader?: { name: string; value: string };
}

/** `{{service}}`, `{{environment}}`, `{{version}}`, `{{rolloutId}}`, `{{phase}}`. */
export function fillContext(text: string, context: CheckContext, encode = false): string {
  const values: Record<string, string> = {
    service: context.service,
    environment: context.environment,
    version: context.version,
    rolloutId: context.rolloutId,
    phase: context.phase,
  };
  return text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (m, name: string) => {
    const v = values[name];
    if (v === undefined) return m;
    return encode ? encodeURIComponent(v) : v;
  });
}

/** Check port: one HTTP request judged on status, latency ceiling and body (docs/adapters/checks.md). */
export class HttpCheck implements Check {
  readonly name: string;

  constructor(private readonly options: HttpCheckOptions) {
    this.name = options.name;
  }

  async run(context: CheckContext, signal?: AbortSignal): Promise<CheckResult> {
    const { name: _name, routeHeader, ...request } = this.options;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers ?? {}))
      headers[k] = fillContext(v, context);
    if (routeHeader) headers[routeHeader.name] = routeHeader.value;
    const result = await httpProbe(
      {
        ...request,
        url: fillContext(request.url, context, true),
        headers,
        ...(request.body === undefined ? {} : { body: fillContext(request.body, context) }),
      },
      signal,
    );
    return {
      name: this.name,
      ok: result.ok,
      durationMs: result.durationMs,
      message: result.message,
    };
  }
}
