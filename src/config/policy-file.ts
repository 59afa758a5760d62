import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RollgateError } from '../core/errors/rollgate-error.js';
import { builtinLayer, compilePolicy, parsePolicyLayer } from '../core/policy/compile-policy.js';
import type { PolicyIssue } from '../core/policy/policy-issue.js';
import type { Policy } from '../core/policy/policy-types.js';

export const DEFAULT_POLICY_FILE = 'rollgate.yaml';

export interface LoadPolicyOptions {
  /** Relative paths resolve against this directory. */
  cwd: string;
  /** Path as given by the user (default `rollgate.yaml`). */
  file?: string;
}

/**
 * Reads and compiles the policy: built-in defaults < the file (< environment < flags,
 * when those layers arrive: each becomes one more PolicyLayer in the list below).
 * Throws RollgateError `not_found` for a missing file, `invalid_policy` with
 * `details.issues: PolicyIssue[]` for a file that does not validate.
 */
export async function loadPolicyFile(options: LoadPolicyOptions): Promise<Policy> {
  const shown = options.file ?? DEFAULT_POLICY_FILE;
  const text = await readPolicyText(resolve(options.cwd, shown), shown);
  const layer = parsePolicyLayer(text, shown);
  if (!layer.ok) throw invalidPolicy(shown, layer.issues);
  const result = compilePolicy([builtinLayer(), layer.layer]);
  if (!result.ok) throw invalidPolicy(shown, result.issues);
  return result.policy;
}

async function readPolicyText(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RollgateError('not_found', `no policy file at ${shown}`, {
        cause: err,
        hint: 'run `rollgate init` to write a starter policy, or pass the file to use',
      });
    }
    throw new RollgateError('invalid_input', `cannot read ${shown}: ${code ?? String(err)}`, {
      cause: err,
    });
  }
}

function invalidPolicy(file: string, issues: PolicyIssue[]): RollgateError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new RollgateError('invalid_policy', `${file}: ${count}`, { details: { issues } });
}

/** The issues an `invalid_policy` error carries. */
export function policyIssuesOf(error: RollgateError): PolicyIssue[] {
  const issues = error.details?.issues;
  return Array.isArray(issues) ? (issues as PolicyIssue[]) : [];
}
