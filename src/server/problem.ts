/**
 * Errors as RFC 9457 `application/problem+json` (docs/api.md). The one place where
 * RollgateError codes become HTTP statuses (CONVENTIONS.md "Errors").
 */
import type { z } from 'zod';
import { coerceError, type ErrorCode, RollgateError } from '../core/errors/rollgate-error.js';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  hint?: string;
  code?: string;
  errors?: FieldError[];
}

/** An HTTP-only failure (authentication, authorisation, rate limit, unknown route). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: { hint?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  invalid_policy: 400,
  not_found: 404,
  conflict: 409,
  illegal_command: 409,
  store_unavailable: 503,
  store_corrupt: 500,
  provider_error: 502,
  timeout: 504,
  internal: 500,
};

const TITLE: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function titleOf(status: number): string {
  return TITLE[status] ?? 'Error';
}

/** A zod failure as field errors: `body.reason`, `query.limit`, `params.id`. */
export function fieldErrors(where: string, error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

export function validationProblem(errors: FieldError[]): HttpProblem {
  const first = errors[0];
  return new HttpProblem(
    400,
    'Bad Request',
    first ? `${first.path}: ${first.message}` : 'the request is not valid',
    { errors, hint: 'see errors[] for each field; docs/api.md lists the request bodies' },
  );
}

/** Anything thrown by a route as a problem; internal errors say nothing of their insides. */
export function toProblem(err: unknown, instance: string): Problem {
  if (err instanceof HttpProblem) {
    return {
      type: 'about:blank',
      title: err.title,
      status: err.status,
      detail: err.message,
      instance,
      ...(err.extra.hint === undefined ? {} : { hint: err.extra.hint }),
      ...(err.extra.errors === undefined ? {} : { errors: err.extra.errors }),
    };
  }
  const fastify = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (
    !(err instanceof RollgateError) &&
    typeof fastify.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    // Fastify's own refusals: a body that is not JSON, too large, a bad content type.
    return {
      type: 'about:blank',
      title: titleOf(fastify.statusCode),
      status: fastify.statusCode,
      detail: typeof fastify.message === 'string' ? fastify.message : 'bad request',
      instance,
      ...(fastify.statusCode === 400
        ? { errors: [{ path: 'body', message: String(fastify.message) }] }
        : {}),
    };
  }
  const e = coerceError(err);
  const status = STATUS[e.code];
  const internal = status >= 500 && !(err instanceof RollgateError);
  return {
    type: `https://rollgate.dev/problems/${e.code.replace(/_/g, '-')}`,
    title: titleOf(status),
    status,
    detail: internal ? 'the server failed to answer; see its log' : e.message,
    instance,
    code: e.code,
    ...(e.hint === undefined || internal ? {} : { hint: e.hint }),
  };
}
