import type { RollgateError } from '../core/errors/rollgate-error.js';

/** One user-facing rendering of an error: what, then what to do. Never a stack trace. */
export function formatError(error: RollgateError): string {
  const lines = [`rollgate: ${error.message}`];
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  if (error.code === 'internal' && error.cause instanceof Error && process.env.ROLLGATE_DEBUG) {
    lines.push(String(error.cause.stack));
  }
  return `${lines.join('\n')}\n`;
}
