import type { RollgateError } from '../core/errors/rollgate-error.js';
import { formatIssue, type PolicyIssue } from '../core/policy/policy-issue.js';

/** One user-facing rendering of an error: what, then what to do. Never a stack trace. */
export function formatError(error: RollgateError): string {
  const lines = [`rollgate: ${error.message}`];
  // An invalid policy carries every problem found, each with file:line:column and path.
  const issues = error.code === 'invalid_policy' ? error.details?.issues : undefined;
  if (Array.isArray(issues)) {
    for (const issue of issues as PolicyIssue[]) lines.push(formatIssue(issue));
  }
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  if (error.code === 'internal' && error.cause instanceof Error && process.env.ROLLGATE_DEBUG) {
    lines.push(String(error.cause.stack));
  }
  return `${lines.join('\n')}\n`;
}
