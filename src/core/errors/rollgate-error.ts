/**
 * The one error type rollgate throws on purpose (CONVENTIONS.md "Errors").
 *
 * A closed list of codes; HTTP statuses are mapped only in `server/`, exit codes only
 * in `cli/`. Anything caught from outside is normalised once with `coerceError`.
 */
export const ERROR_CODES = [
  'invalid_input', // bad user input: a policy file, a flag, an API body
  'invalid_policy', // a policy file that does not validate (carries PolicyIssue[])
  'not_found', // an unknown id or file
  'conflict', // someone else moved first (guarded update, lease, rollout in flight)
  'illegal_command', // a command the rollout's state does not allow
  'store_unavailable', // the database cannot be opened or reached
  'store_corrupt', // the database file is not a rollgate store
  'provider_error', // a router, deployer, metric source, check or notifier failed
  'timeout',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RollgateErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** What the user can do about it; printed under the message. */
  hint?: string;
  /** Structured details safe to show (never secrets). */
  details?: Record<string, unknown>;
}

export class RollgateError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: RollgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RollgateError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
    this.details = options.details;
  }
}

/** Normalise anything thrown by code outside rollgate into a RollgateError. */
export function coerceError(err: unknown, fallback: ErrorCode = 'internal'): RollgateError {
  if (err instanceof RollgateError) return err;
  if (err instanceof Error) {
    return new RollgateError(fallback, err.message, { cause: err });
  }
  return new RollgateError(fallback, String(err), { cause: err });
}
