import { z } from 'zod';
import { DURATION_PATTERN, PERCENT_PATTERN, parseDuration, parsePercent } from './units.js';

/** Building blocks of the policy model: units, names and secret references. */

const DURATION_HINT = 'a duration with a unit, like `15m`, `90s`, `500ms` or `1h30m`';
const PERCENT_HINT = 'a percentage, like `0.1%` or `25%`';

/** Keeps zod's own "required" message for missing keys; ours for wrong values. */
const unless = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : message;

export const Duration = z
  .string({ error: unless(`expected ${DURATION_HINT}`) })
  .regex(new RegExp(DURATION_PATTERN), { error: `expected ${DURATION_HINT}` })
  .transform((text) => parseDuration(text) as number)
  .meta({ description: `A duration: ${DURATION_HINT}.` });

export const Percent = z
  .string({ error: unless(`expected ${PERCENT_HINT}`) })
  .regex(new RegExp(PERCENT_PATTERN), { error: `expected ${PERCENT_HINT}` })
  .transform((text) => parsePercent(text) as number)
  .meta({ description: `A percentage: ${PERCENT_HINT}. Read as a fraction (0.1% = 0.001).` });

/** A canary weight: `25%` or the number 25, from 0 to 100. Output: percent. */
export const Weight = z
  .union(
    [
      z.number().min(0).max(100),
      z
        .string()
        .regex(/^(100(\.0+)?|\d{1,2}(\.\d+)?)\s?%$/)
        .transform((t) => Math.round((parsePercent(t) as number) * 100 * 1e9) / 1e9),
    ],
    { error: unless('expected a weight from 0 to 100 percent, like `25%` (or the number 25)') },
  )
  .meta({ description: 'Canary weight in percent: `25%` or 25.' });

/** A gate threshold; its unit must fit the metric (checked after merging). */
export type Threshold = { unit: 'fraction' | 'seconds' | 'zero'; value: number };

export const ThresholdValue = z
  .union(
    [
      z.literal(0).transform((): Threshold => ({ unit: 'zero', value: 0 })),
      z
        .string()
        .regex(new RegExp(PERCENT_PATTERN))
        .transform((t): Threshold => ({ unit: 'fraction', value: parsePercent(t) as number })),
      z
        .string()
        .regex(new RegExp(DURATION_PATTERN))
        .transform((t): Threshold => ({ unit: 'seconds', value: parseDuration(t) as number })),
    ],
    {
      error: unless(
        'expected a threshold with a unit: a percentage (`0.1%`) for rates and gauges, a duration (`2s`, `300ms`) for latency, or 0',
      ),
    },
  )
  .meta({ description: 'A percentage (`0.1%`), a duration (`2s`), or 0.' });

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const Name = z.string().regex(NAME_PATTERN, {
  error: 'expected a name of letters, digits, `.`, `_` or `-`, starting with a letter or digit',
});

export const SECRET_REF_PATTERN = /^\$\{(env:[A-Za-z_][A-Za-z0-9_]*|file:[^}]+)\}$/;
export const SECRET_MESSAGE =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template
  'this field holds a secret: write a reference, `${env:NAME}` or `${file:PATH}`, never the value itself';

/** A secret is referenced, never written in the policy (CONVENTIONS.md "Config"). */
export const SecretRef = z
  .string({ error: unless(SECRET_MESSAGE) })
  .regex(SECRET_REF_PATTERN, { error: SECRET_MESSAGE })
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template
  .meta({ description: 'A secret reference: `${env:NAME}` or `${file:PATH}`.' });

export const HttpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/, {
    error: 'expected an http(s) URL, like `http://127.0.0.1:8080/health`',
  })
  .refine((url) => !/^https?:\/\/[^/@\s]*:[^/@\s]*@/.test(url), {
    error:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference syntax, not a template
      'the URL carries a password: remove it, and give credentials as a secret reference (`basicAuth.password: ${env:NAME}`, or a header)',
  });

/** host:port (or a unix socket path where noted). */
export const HostPort = z
  .string()
  .regex(/^[A-Za-z0-9.[\]:_-]+:\d{1,5}$/, { error: 'expected host:port, like `127.0.0.1:8080`' });

export const NonEmpty = z.string().min(1, { error: 'expected a non-empty string' });

export const SENSITIVE_NAME =
  /authorization|token|api[-_]?key|secret|cookie|password|passwd|credential/i;

/** A map of names to values (HTTP headers, environment variables); credential-like names need references. */
export function credentialMap(what: string) {
  return z.record(z.string(), z.string()).superRefine((entries, ctx) => {
    for (const [name, value] of Object.entries(entries)) {
      if (SENSITIVE_NAME.test(name) && !SECRET_REF_PATTERN.test(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `${what} \`${name}\`: ${SECRET_MESSAGE}`,
        });
      }
    }
  });
}

export const Headers = credentialMap('header');
