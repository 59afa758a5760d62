import type { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import type { PathSegment, RawIssue } from './policy-issue.js';

/**
 * zod's issues, reworded for a person editing YAML: one issue per unknown key with a
 * "did you mean" hint, "missing key" for absent required keys, the allowed values for
 * an unknown `type`. Values from the file are never echoed (they may be secrets).
 */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  data: unknown,
): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path, data);
        for (const key of issue.keys) {
          const guess = didYouMean(key, known);
          out.push({
            path: [...path, key],
            at: 'key',
            message: `unknown key \`${key}\``,
            hint: guess
              ? `did you mean \`${guess}\`?`
              : known.length > 0
                ? `allowed here: ${known.map((k) => `\`${k}\``).join(', ')}`
                : undefined,
          });
        }
        break;
      }
      case 'invalid_union': {
        const discriminated = issue as z.core.$ZodIssueInvalidUnion & {
          discriminator?: string;
          options?: unknown[];
        };
        if (discriminated.discriminator && discriminated.options) {
          const options = discriminated.options.map(String);
          const value = valueAt(data, path);
          const list = options.map((o) => `\`${o}\``).join(', ');
          if (value === undefined) {
            out.push({
              path,
              message: `missing \`${discriminated.discriminator}\`: expected one of ${list}`,
            });
          } else {
            const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
            out.push({
              path,
              message: `unknown ${discriminated.discriminator} \`${String(value)}\`: expected one of ${list}`,
              hint: guess ? `did you mean \`${guess}\`?` : undefined,
            });
          }
        } else {
          out.push({ path, message: issue.message });
        }
        break;
      }
      case 'invalid_type': {
        if (valueAt(data, path) === undefined) {
          const key = path[path.length - 1];
          out.push({
            path,
            message: `missing required key \`${String(key)}\` (expected ${typeName(issue.expected)})`,
          });
        } else if (!issue.message.startsWith('Invalid input')) {
          out.push({ path, message: issue.message });
        } else {
          out.push({
            path,
            message: `expected ${typeName(issue.expected)}, found ${describe(valueAt(data, path))}`,
          });
        }
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map(String);
        const value = valueAt(data, path);
        const guess = typeof value === 'string' ? didYouMean(value, values) : undefined;
        const message = issue.message.startsWith('Invalid')
          ? `expected one of ${values.map((v) => `\`${v}\``).join(', ')}`
          : issue.message;
        out.push({ path, message, hint: guess ? `did you mean \`${guess}\`?` : undefined });
        break;
      }
      case 'too_small':
      case 'too_big': {
        const value = valueAt(data, path);
        const what = Array.isArray(value) ? 'items' : '';
        const bound = issue.code === 'too_small' ? 'at least' : 'at most';
        const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const message = issue.message.startsWith('Too')
          ? `expected ${bound} ${String(limit)}${what ? ` ${what}` : ''}`
          : issue.message;
        out.push({ path, message });
        break;
      }
      case 'invalid_key': {
        const inner = issue.issues[0];
        const detail = inner && !inner.message.startsWith('Invalid') ? `: ${inner.message}` : '';
        out.push({
          path,
          at: 'key',
          message: `invalid name \`${String(path[path.length - 1])}\`${detail}`,
        });
        break;
      }
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}

function typeName(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a map';
  if (expected === 'array') return 'a list';
  return `a ${expected}`;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  valueType?: z.ZodType;
  keyType?: z.ZodType;
  entries?: Record<string, unknown>;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object accepts at `path`, walking the schema alongside the data. */
export function knownKeysAt(
  schema: z.ZodType,
  path: readonly PathSegment[],
  data: unknown,
): string[] {
  let current: z.ZodType | undefined = schema;
  let value: unknown = data;
  for (let i = 0; i <= path.length && current; i++) {
    current = unwrap(current, value);
    if (!current) return [];
    if (i === path.length) break;
    const segment = path[i] as PathSegment;
    const def = defOf(current);
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string | number, unknown>)[segment]
        : undefined;
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'record') current = def.valueType;
    else if (def.type === 'array') current = def.element;
    else return [];
  }
  if (!current) return [];
  const def = defOf(current);
  if (def.type === 'record' && def.keyType) {
    const values = defOf(def.keyType).entries;
    return values ? Object.keys(values) : [];
  }
  return def.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** Through optional / nullable / pipes, and into the union option the data selects. */
function unwrap(schema: z.ZodType, value: unknown): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (let guard = 0; current && guard < 20; guard++) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else if (def.type === 'union' && def.options) {
      const key = def.discriminator;
      const wanted =
        key && value && typeof value === 'object'
          ? (value as Record<string, unknown>)[key]
          : undefined;
      current = def.options.find((option) => {
        const shape = defOf(option).shape;
        const literal = key && shape?.[key] ? defOf(shape[key] as z.ZodType).values : undefined;
        return literal ? literal.includes(wanted) : defOf(option).type === 'object';
      });
    } else return current;
  }
  return current;
}
