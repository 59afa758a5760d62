import { LineCounter, parseDocument } from 'yaml';
import { DEFAULT_POLICY_INPUT } from './default-policy.js';
import { finalizePolicy } from './finalize-policy.js';
import { deepFreeze, mergeLayers } from './merge-layers.js';
import { formatPath, type PolicyIssue, type RawIssue } from './policy-issue.js';
import { PolicyFile } from './policy-schema.js';
import type { Policy } from './policy-types.js';
import { type Locator, objectLocator, yamlLocator } from './source-locator.js';
import { strategyIssues } from './strategy-rules.js';
import { fromZodIssues } from './zod-issues.js';

/**
 * Text in, policy out: no file I/O here (config/policy-file.ts reads files). A policy is
 * a stack of layers — the built-in policy, then the file, then (later) the environment
 * and command-line flags — each parsed and located on its own, merged, then completed.
 */
export interface PolicyLayer {
  data: PolicyFile;
  locator: Locator;
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

export const BUILTIN_POLICY_NAME = '<built-in policy>';

let builtin: PolicyLayer | undefined;

/** The built-in policy (default-policy.ts) as the bottom layer. */
export function builtinLayer(): PolicyLayer {
  if (!builtin) {
    const parsed = PolicyFile.safeParse(DEFAULT_POLICY_INPUT);
    if (!parsed.success) {
      throw new Error(`the built-in policy is invalid: ${parsed.error.message}`);
    }
    builtin = {
      data: deepFreeze(parsed.data),
      locator: objectLocator(BUILTIN_POLICY_NAME, DEFAULT_POLICY_INPUT),
    };
  }
  return builtin;
}

/** Parses one YAML policy file into a layer, or every problem it has. */
export function parsePolicyLayer(
  text: string,
  file: string,
): { ok: true; layer: PolicyLayer } | { ok: false; issues: PolicyIssue[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => ({
        file,
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
        path: '',
        message:
          error.code === 'MULTIPLE_DOCS'
            ? 'YAML syntax error: a policy file holds one YAML document; remove the second `---`'
            : `YAML syntax error: ${firstLine(error.message)}`,
      })),
    };
  }
  const locator = yamlLocator(file, doc, lineCounter);
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    return {
      ok: false,
      issues: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: 'the policy file is empty',
          hint: 'run `rollgate init` for a starter policy',
        },
      ],
    };
  }
  const parsed = PolicyFile.safeParse(data);
  const raw = [
    ...(parsed.success ? [] : fromZodIssues(parsed.error.issues, PolicyFile, data)),
    ...strategyIssues(data),
  ];
  if (!parsed.success || raw.length > 0) {
    const self = [{ data: {} as PolicyFile, locator }];
    return { ok: false, issues: sortIssues(raw.map((issue) => locate(issue, self))) };
  }
  return { ok: true, layer: { data: parsed.data, locator } };
}

/** Merges layers (later wins) and checks the whole; the policy is frozen. */
export function compilePolicy(layers: readonly PolicyLayer[]): PolicyResult {
  const merged = mergeLayers(layers.map((l) => l.data));
  const { policy, issues } = finalizePolicy(merged);
  if (!policy || issues.length > 0) {
    return { ok: false, issues: sortIssues(issues.map((issue) => locate(issue, layers))) };
  }
  return { ok: true, policy: deepFreeze(policy) };
}

/** The built-in policy under one YAML file: what `rollgate validate` checks. */
export function parsePolicy(text: string, file: string): PolicyResult {
  const layer = parsePolicyLayer(text, file);
  if (!layer.ok) return layer;
  return compilePolicy([builtinLayer(), layer.layer]);
}

/**
 * Blames the latest layer that touches the same entity as the issue (the first two
 * segments of its path: `gates.memory-rollback`), else the one defining most of the path.
 */
function locate(issue: RawIssue, layers: readonly PolicyLayer[]): PolicyIssue {
  const entity = Math.min(2, issue.path.length);
  let best:
    | { locator: Locator; depth: number; position?: { line: number; column: number } }
    | undefined;
  for (let i = layers.length - 1; i >= 0; i--) {
    const locator = (layers[i] as PolicyLayer).locator;
    const found = locator.locate(issue.path, issue.at);
    if (found.depth >= entity && found.position) {
      best = { locator, ...found };
      break;
    }
    if (!best || found.depth > best.depth) best = { locator, ...found };
  }
  return {
    file: best?.locator.file ?? BUILTIN_POLICY_NAME,
    line: best?.position?.line,
    column: best?.position?.column,
    path: formatPath(issue.path),
    message: issue.message,
    ...(issue.hint === undefined ? {} : { hint: issue.hint }),
  };
}

/** In file order (issues without a line last), so a person can fix them top to bottom. */
function sortIssues(issues: PolicyIssue[]): PolicyIssue[] {
  const key = (i: PolicyIssue) => (i.line ?? Number.MAX_SAFE_INTEGER) * 10_000 + (i.column ?? 0);
  return [...issues].sort((a, b) => (a.file === b.file ? key(a) - key(b) : 0));
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
