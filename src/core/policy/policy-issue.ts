/** One problem in a policy, located for a person: file:line:column, the key path, what to do. */
export interface PolicyIssue {
  /** The file (or layer: `<built-in policy>`, later the environment or a flag). */
  file: string;
  /** 1-based; absent when the problem has no place in a file. */
  line?: number;
  column?: number;
  /** Key path as written in messages, e.g. `strategies.minor[2].weight` (empty = the file). */
  path: string;
  /** What was wrong and what was expected. */
  message: string;
  hint?: string;
}

export type PathSegment = string | number;

/** A problem found before it is located in a layer. */
export interface RawIssue {
  path: PathSegment[];
  message: string;
  hint?: string;
  /** Point at the key itself (unknown keys) rather than its value. */
  at?: 'key' | 'value';
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['strategies', 'minor', 2, 'weight']` → `strategies.minor[2].weight`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `file:line:column path: message` and an indented hint: the one rendering of an issue. */
export function formatIssue(issue: PolicyIssue): string {
  const where =
    issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const path = issue.path === '' ? '' : ` ${issue.path}:`;
  const lines = [`${where}${path} ${issue.message}`];
  if (issue.hint) lines.push(`  hint: ${issue.hint}`);
  return lines.join('\n');
}
