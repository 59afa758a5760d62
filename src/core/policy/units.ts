/**
 * Units as people write them in a policy: durations (`90s`, `15m`, `1h30m`, `500ms`) and
 * percentages (`0.1%`, `25%`). Durations become seconds, percentages fractions (0.001).
 */

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
export const PERCENT_PATTERN = '^\\d+(\\.\\d+)?\\s?%$';

const SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (!new RegExp(DURATION_PATTERN).test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(DURATION_PART)) {
    total += Number(m[1]) * (SECONDS[m[2] as string] as number);
  }
  return Math.round(total * 1000) / 1000;
}

/** The fraction a percentage string stands for (`0.1%` → 0.001), or undefined. */
export function parsePercent(text: string): number | undefined {
  if (!new RegExp(PERCENT_PATTERN).test(text)) return undefined;
  const value = Number(text.replace('%', '').trim()) / 100;
  return Math.round(value * 1e12) / 1e12;
}

/** `5400` → `1h30m`; `0.5` → `500ms`; hours are not folded into days (`72h`, as the seeds write). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** `0.001` → `0.1%`. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100 * 1e6) / 1e6}%`;
}
