import type { ErrorCode } from '../core/errors/rollgate-error.js';

/** Exit codes of the `rollgate` command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  internal: 1,
  invalidInput: 2,
  rolledBack: 3,
  paused: 4,
  /** The rollback itself failed: the new version may still serve; a person must act. */
  failed: 5,
  /** The store is locked or unreachable (after retries): try again (sysexits EX_TEMPFAIL). */
  unavailable: 75,
  /** Interrupted (SIGINT/SIGTERM) while waiting: the rollout goes on under a controller. */
  interrupted: 130,
} as const;

/** The only place error codes become exit codes. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'invalid_input':
    case 'invalid_policy':
    case 'not_found':
    case 'illegal_command':
    case 'conflict':
    case 'store_corrupt':
      return EXIT.invalidInput;
    case 'store_unavailable':
      return EXIT.unavailable;
    default:
      return EXIT.internal;
  }
}
