/**
 * Formatting shared by the record builders: times (UTC, from ISO strings), durations,
 * rates and latencies in the words the seeds use. Pure: no clock, no locale.
 */

export function ms(iso: string): number {
  return Date.parse(iso);
}

/** "14:05" (UTC). */
export function hhmm(iso: string): string {
  return iso.slice(11, 16);
}

/** "14:05:09" (UTC). */
export function hhmmss(iso: string): string {
  return iso.slice(11, 19);
}

/** "2024-03-15" (UTC). */
export function day(iso: string): string {
  return iso.slice(0, 10);
}

/** ISO 8601 without milliseconds: "2024-03-15T14:05:09Z". */
export function isoSeconds(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

/** "25 minutes", "1 minute", "2 h 5 min", "40 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 120) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Short form for tables: "25 min", "2h 45min", "40 s". */
export function shortDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h}h` : `${h}h ${m}min`;
}

function trim(n: number, digits: number): string {
  const fixed = n.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** A fraction as a percentage: 0.0005 → "0.05 %", 0.03 → "3 %". */
export function percent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0 %';
  const digits = Math.abs(p) >= 10 ? 1 : Math.abs(p) >= 1 ? 2 : 3;
  return `${trim(p, digits)} %`;
}

/** Seconds as a latency: 0.12 → "120 ms", 1.5 → "1.5 s". */
export function latency(seconds: number): string {
  if (seconds >= 1) return `${trim(seconds, 2)} s`;
  return `${trim(seconds * 1000, seconds * 1000 >= 10 ? 0 : 1)} ms`;
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Capitalise the first letter (not a version or an identifier like "v2.1.0"). */
export function capital(text: string): string {
  if (text.length === 0 || /^[a-z][\w-]*[\d./@_-]/.test(text.split(' ')[0] ?? '')) return text;
  return text[0]?.toUpperCase() + text.slice(1);
}

/** End a sentence with a full stop unless it already has one. */
export function sentence(text: string): string {
  const t = capital(text.trim());
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Escape a value for a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Add `hours` to an ISO time, returning ISO (millisecond precision). */
export function addHours(iso: string, hours: number): string {
  return new Date(ms(iso) + hours * 3_600_000).toISOString();
}
