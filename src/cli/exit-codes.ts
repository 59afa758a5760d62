import type { ErrorCode } from '../core/errors/rollgate-error.js';

/** Exit codes of the `rollgate` command (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  internal: 1,
  invalidInput: 2,
  rolledBack: 3,
  paused: 4,
} as const;

/** The only place error codes become exit codes. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'invalid_input':
    case 'invalid_policy':
    case 'not_found':
    case 'illegal_command':
    case 'conflict':
      return EXIT.invalidInput;
    default:
      return EXIT.internal;
  }
}
