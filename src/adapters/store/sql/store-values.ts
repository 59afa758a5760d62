import { RollgateError } from '../../../core/errors/rollgate-error.js';
import {
  type Release,
  ROLLOUT_STATES,
  type RolloutSnapshot,
} from '../../../core/rollout/rollout-types.js';

/** JSON text for a JSON column; the store always writes text (exact round-trip). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** A JSON column read back: text on SQLite, already parsed by the driver on PostgreSQL. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * A time the store compares (outbox due times, lease expiry) in one canonical form, so
 * that text comparison orders it correctly on every backend: `YYYY-MM-DDTHH:mm:ss.sssZ`.
 */
export function isoTime(value: string, what: string): string {
  const ms = Date.parse(value);
  if (typeof value !== 'string' || Number.isNaN(ms)) {
    throw new RollgateError(
      'invalid_input',
      `${what} is not an ISO 8601 time: ${JSON.stringify(value)}`,
      {
        hint: 'Pass a time such as 2026-01-31T12:00:00.000Z.',
      },
    );
  }
  return new Date(ms).toISOString();
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Reject a snapshot the store could not index faithfully. */
export function checkSnapshot(s: RolloutSnapshot, what: string): void {
  const bad = (why: string) =>
    new RollgateError('invalid_input', `${what}: ${why}`, { details: { rolloutId: s?.id } });
  if (typeof s?.id !== 'string' || s.id === '') throw bad('id must be a non-empty string');
  if (!(ROLLOUT_STATES as readonly string[]).includes(s.state)) {
    throw bad(`state "${String(s.state)}" is not one of ${ROLLOUT_STATES.join(', ')}`);
  }
  for (const key of ['service', 'environment', 'releaseId'] as const) {
    if (typeof s[key] !== 'string' || s[key] === '') throw bad(`${key} must be a non-empty string`);
  }
  if (!isCount(s.epoch)) throw bad(`epoch must be a non-negative integer, got ${String(s.epoch)}`);
  if (!isCount(s.lastSeq)) {
    throw bad(`lastSeq must be a non-negative integer, got ${String(s.lastSeq)}`);
  }
}

/** Reject a release the store could not index faithfully. */
export function checkRelease(r: Release): void {
  for (const key of ['id', 'service', 'version'] as const) {
    if (typeof r?.[key] !== 'string' || r[key] === '') {
      throw new RollgateError('invalid_input', `createRelease: ${key} must be a non-empty string`, {
        details: { releaseId: r?.id },
      });
    }
  }
  isoTime(r.createdAt, `createRelease ${r.id}: createdAt`);
}

/** A row limit: a whole number ≥ 0 (SQLite would read −1 as "no limit"). */
export function checkLimit(limit: number, what: string): number {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RollgateError(
      'invalid_input',
      `${what}: limit must be a whole number ≥ 0, got ${String(limit)}`,
    );
  }
  return limit;
}
