/**
 * The CLI's client for a remote `rollgate server` (`--server URL --token T`, or
 * ROLLGATE_SERVER / ROLLGATE_TOKEN): the same commands, sent over the HTTP API instead of
 * written to a store. Problems come back as RollgateErrors, so the exit codes match the
 * local ones (docs/server.md "Remote CLI").
 */
import type { Command } from 'commander';
import { request } from 'undici';
import { ERROR_CODES, type ErrorCode, RollgateError } from '../core/errors/rollgate-error.js';
import type {
  Release,
  RolloutSnapshot,
  RolloutState,
  TimelineEvent,
} from '../core/rollout/rollout-types.js';
import type { CliIo } from './cli-io.js';
import type { RolloutLookup } from './find-rollout.js';

export interface RemoteOptions {
  server?: string;
  token?: string;
}

/** Adds `--server` and `--token` to a command that can run against a remote server. */
export function addRemoteOptions(command: Command): Command {
  return command
    .option('--server <url>', 'send it to a rollgate server (default: $ROLLGATE_SERVER)')
    .option('--token <token>', 'API token for --server (default: $ROLLGATE_TOKEN)');
}

export interface RolloutSummary {
  id: string;
  service: string;
  environment: string;
  version: string;
  state: RolloutState;
  stepCount: number;
}

function codeOf(status: number, body: { code?: unknown }): ErrorCode {
  if (typeof body.code === 'string' && (ERROR_CODES as readonly string[]).includes(body.code)) {
    return body.code as ErrorCode;
  }
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 503) return 'store_unavailable';
  if (status >= 400 && status < 500) return 'invalid_input';
  return 'internal';
}

export class RemoteApi implements RolloutLookup<RolloutSummary> {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  /** The remote server, if --server or ROLLGATE_SERVER names one. */
  static from(options: RemoteOptions, io: CliIo): RemoteApi | undefined {
    const url = (options.server ?? io.env.ROLLGATE_SERVER ?? '').trim();
    if (url === '') return undefined;
    if (!/^https?:\/\/[^/]+/i.test(url)) {
      throw new RollgateError('invalid_input', `--server ${url} is not an http(s) URL`, {
        hint: 'e.g. --server http://127.0.0.1:7300',
      });
    }
    const token = (options.token ?? io.env.ROLLGATE_TOKEN ?? '').trim();
    return new RemoteApi(url.replace(/\/+$/, ''), token === '' ? undefined : token);
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (err) {
      throw new RollgateError(
        'store_unavailable',
        `cannot reach the rollgate server at ${this.baseUrl}`,
        { cause: err, retryable: true, hint: 'check --server (is `rollgate server` running?)' },
      );
    }
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.statusCode >= 400) {
      const p = (parsed ?? {}) as { detail?: unknown; hint?: unknown; code?: unknown };
      const detail = typeof p.detail === 'string' ? p.detail : `HTTP ${res.statusCode}`;
      const auth = res.statusCode === 401 || res.statusCode === 403;
      throw new RollgateError(codeOf(res.statusCode, p), `${this.baseUrl}: ${detail}`, {
        ...(typeof p.hint === 'string'
          ? { hint: p.hint }
          : auth
            ? { hint: 'pass an API token: --token rg_… or ROLLGATE_TOKEN' }
            : {}),
      });
    }
    return parsed as T;
  }

  async getRollout(id: string): Promise<RolloutSummary | undefined> {
    try {
      const r = await this.call<{ summary: RolloutSummary }>(
        'GET',
        `/rollouts/${encodeURIComponent(id)}`,
      );
      return r.summary;
    } catch (err) {
      if (err instanceof RollgateError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  async listRollouts(filter: { service?: string }): Promise<RolloutSummary[]> {
    const q = filter.service === undefined ? '' : `&service=${encodeURIComponent(filter.service)}`;
    return (await this.call<{ rollouts: RolloutSummary[] }>('GET', `/rollouts?limit=500${q}`))
      .rollouts;
  }

  async snapshot(id: string): Promise<{ rollout: RolloutSnapshot; release: Release }> {
    return this.call('GET', `/rollouts/${encodeURIComponent(id)}`);
  }

  async events(id: string, after = 0): Promise<TimelineEvent[]> {
    return (
      await this.call<{ events: TimelineEvent[] }>(
        'GET',
        `/rollouts/${encodeURIComponent(id)}/events?after=${after}`,
      )
    ).events;
  }
}
