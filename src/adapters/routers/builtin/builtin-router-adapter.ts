import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { Router, RouteTarget } from '../../../ports/router.js';

export interface BuiltinRouterAdapterOptions {
  /** The router's admin base URL, e.g. http://127.0.0.1:9901 */
  adminUrl: string;
  /** Bearer token, when the router's admin API has one. */
  token?: string;
  /** The router's override header (default `x-rollgate-version`). */
  overrideHeader?: string;
  /** Per-call timeout. */
  timeoutMs?: number;
}

/** Same rule the router applies; checked here too so a bad weight never leaves the process. */
function checkWeight(weight: number): void {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new RollgateError(
      'invalid_input',
      `invalid canary weight ${JSON.stringify(weight)}: expected a number from 0 to 100 (percent)`,
      { hint: 'weights are percentages of new requests sent to the canary' },
    );
  }
}

/**
 * Router port over the built-in router's admin HTTP API (docs/router.md). The controller
 * is a separate process from the router, so it talks HTTP, never in-process state: what
 * `getWeight` returns is what the router itself says is in force.
 *
 * One built-in router instance controls one split; the RouteTarget names it in errors.
 */
export class BuiltinRouterAdapter implements Router {
  readonly name = 'builtin';
  private readonly base: string;

  constructor(private readonly options: BuiltinRouterAdapterOptions) {
    this.base = options.adminUrl.replace(/\/+$/, '');
  }

  async setWeight(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void> {
    checkWeight(weight);
    await this.call(target, 'PUT', { weight }, signal);
  }

  async getWeight(target: RouteTarget, signal?: AbortSignal): Promise<number> {
    const body = await this.call(target, 'GET', undefined, signal);
    const weight = (body as { weight?: unknown }).weight;
    if (typeof weight !== 'number') {
      throw new RollgateError(
        'provider_error',
        `built-in router at ${this.base} answered GET /v1/weight without a numeric weight`,
        { retryable: true },
      );
    }
    return weight;
  }

  overrideHeader(): { name: string; value: string } {
    return { name: this.options.overrideHeader ?? 'x-rollgate-version', value: 'canary' };
  }

  private async call(
    target: RouteTarget,
    method: 'GET' | 'PUT',
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const where = `${target.service}/${target.environment} (built-in router ${this.base})`;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 5_000);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}/v1/weight`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new RollgateError(
        'provider_error',
        `cannot reach ${where}: ${(err as Error).message}`,
        {
          cause: err,
          retryable: true,
          hint: 'is the router running, and is its admin address right?',
        },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok && json !== undefined) return json;
    const error = (json as { error?: { message?: string; hint?: string } } | undefined)?.error;
    const message = `${method} weight on ${where} failed with HTTP ${res.status}: ${error?.message ?? text.slice(0, 200)}`;
    if (res.status === 400) {
      throw new RollgateError('invalid_input', message, { hint: error?.hint });
    }
    throw new RollgateError('provider_error', message, {
      retryable: res.status >= 500 || res.status === 429,
      hint: res.status === 401 ? 'set the router admin token' : error?.hint,
    });
  }
}
