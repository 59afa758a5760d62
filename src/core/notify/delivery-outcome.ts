/**
 * How a notifier's HTTP answer maps to a delivery outcome (ADR 0100), shared by every
 * notifier adapter. Pure: the adapters do the I/O and hand the status here.
 *
 * The shape is the Notifier port's `DeliveryOutcome` (core may not import ports; the
 * two types are structurally the same).
 */
export type NotifyOutcome =
  | { ok: true }
  | { ok: false; retryable: boolean; error: string; disableEndpoint?: boolean };

/** 2xx ok; 408, 429, 5xx retryable; 410 disables the endpoint; any other 4xx is final. */
export function outcomeForStatus(
  notifier: string,
  status: number,
  detail = '',
  retryAfter?: string | null,
): NotifyOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const tail = detail === '' ? '' : `: ${detail.slice(0, 200)}`;
  if (status === 410) {
    return {
      ok: false,
      retryable: false,
      disableEndpoint: true,
      error: `${notifier}: the endpoint is gone (HTTP 410)${tail}; remove or replace it in the policy`,
    };
  }
  if (status === 408 || status === 429 || status >= 500) {
    const wait = retryAfter ? ` (Retry-After: ${retryAfter})` : '';
    return { ok: false, retryable: true, error: `${notifier}: HTTP ${status}${wait}${tail}` };
  }
  return {
    ok: false,
    retryable: false,
    error: `${notifier}: HTTP ${status}${tail}; the request was refused, check the channel's configuration`,
  };
}

/** A request that never got an answer (refused, reset, timed out): retryable. */
export function outcomeForNetworkError(
  notifier: string,
  err: unknown,
  timedOut: boolean,
): NotifyOutcome {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return {
    ok: false,
    retryable: true,
    error: timedOut ? `${notifier}: no answer in time` : `${notifier}: ${message}${cause}`,
  };
}

/** Replaces every secret (and its URL-encoded form) in a text that may be logged or stored. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    out = out.split(s).join('[redacted]');
    const encoded = encodeURIComponent(s);
    if (encoded !== s) out = out.split(encoded).join('[redacted]');
  }
  return out;
}
