import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, apiFetch } from './api-client.js';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GETs `path` (null = nothing to fetch yet), again every `refreshMs` when given and on
 * `reload()`. Keeps the last good data while a refetch is in flight or fails.
 */
export function useApi<T>(path: string | null, refreshMs?: number): ApiState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const current = useRef(path);
  current.current = path;

  const reload = useCallback(() => setTick((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick is the reload trigger
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setLoading(true);
    apiFetch<T>(path, { signal: abort.signal })
      .then((body) => {
        if (current.current !== path) return;
        setData(body);
        setError(undefined);
      })
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        setError(
          err instanceof ApiError ? err : new ApiError(0, { title: String(err), status: 0 }),
        );
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [path, tick]);

  useEffect(() => {
    if (path === null || !refreshMs) return;
    const timer = window.setInterval(reload, refreshMs);
    return () => window.clearInterval(timer);
  }, [path, refreshMs, reload]);

  // A new path starts from nothing rather than showing the previous page's data.
  const [shownPath, setShownPath] = useState(path);
  if (shownPath !== path) {
    setShownPath(path);
    setData(undefined);
    setError(undefined);
  }

  return { data, error, loading, reload };
}
