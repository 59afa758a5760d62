import type { Problem } from './api-types.js';

const TOKEN_KEY = 'rollgate.token';
export const API_BASE = '/api/v1';

/**
 * Takes a token from `?token=` once (then drops it from the address bar so it is not
 * bookmarked or shared), keeps it in sessionStorage, and returns the current one.
 */
export function adoptToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  }
  return token();
}

export function token(): string | undefined {
  return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** A failed API call, from the server's problem+json answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
  }
}

export async function apiFetch<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API_BASE + path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiError(0, {
      title: 'The rollgate server did not answer',
      status: 0,
      detail: 'check that it is running; the page retries on its own',
    });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const p = (body ?? {}) as Partial<Problem>;
    throw new ApiError(res.status, {
      title: p.title ?? `HTTP ${res.status}`,
      status: res.status,
      ...(p.detail ? { detail: p.detail } : {}),
      ...(p.errors ? { errors: p.errors } : {}),
    });
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The stream URL of a rollout; EventSource cannot send headers, so the token rides along. */
export function streamUrl(rolloutId: string): string {
  const t = token();
  const q = t ? `?access_token=${encodeURIComponent(t)}` : '';
  return `${API_BASE}/rollouts/${encodeURIComponent(rolloutId)}/stream${q}`;
}
