import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { RollgateError } from '../core/errors/rollgate-error.js';
import { SECRET_REF_PATTERN } from '../core/policy/schema-primitives.js';

export interface SecretSource {
  env: Record<string, string | undefined>;
  /** Relative `${file:…}` paths resolve here. */
  cwd: string;
}

/**
 * Resolves `${env:NAME}` and `${file:PATH}` (ADR 0014) when an adapter is built; any other
 * text is returned unchanged. Every resolved value is added to `secrets` so the adapter
 * can redact it. Errors name the reference, never a value.
 */
export function resolveSecretRefs(
  values: Record<string, string> | undefined,
  source: SecretSource,
  secrets: string[],
): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    out[name] = resolveSecretRef(value, source, secrets);
  }
  return out;
}

export function resolveSecretRef(value: string, source: SecretSource, secrets: string[]): string {
  const m = SECRET_REF_PATTERN.exec(value);
  if (!m) return value;
  const ref = m[1] as string;
  let resolved: string | undefined;
  if (ref.startsWith('env:')) {
    resolved = source.env[ref.slice(4)];
    if (resolved === undefined || resolved === '') {
      throw new RollgateError(
        'invalid_input',
        `secret reference ${value}: ${ref.slice(4)} is not set`,
        {
          hint: `export ${ref.slice(4)} in rollgate's environment`,
        },
      );
    }
  } else {
    const path = ref.slice(5);
    try {
      resolved = readFileSync(isAbsolute(path) ? path : resolve(source.cwd, path), 'utf8').trim();
    } catch (err) {
      throw new RollgateError('invalid_input', `secret reference ${value}: cannot read the file`, {
        cause: err,
        hint: 'check the path and that rollgate may read it',
      });
    }
  }
  secrets.push(resolved);
  return resolved;
}
