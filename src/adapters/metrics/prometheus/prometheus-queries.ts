/** The PromQL a Prometheus metric source runs, from templates with placeholders. */
export interface PrometheusQueryTemplates {
  /** Cumulative request counter (or a windowed expression using `{window}`). */
  requests: string;
  errors: string;
  /** Cumulative histogram buckets with an `le` label. */
  latencyBuckets: string;
  gauges: Record<string, string>;
}

/** The usual conventions: `http_requests_total{code}` and `http_request_duration_seconds`. */
export const DEFAULT_QUERIES: PrometheusQueryTemplates = {
  requests: 'http_requests_total{{selector}}',
  errors: 'http_requests_total{{selector},code=~"5.."}',
  latencyBuckets: 'http_request_duration_seconds_bucket{{selector}}',
  gauges: {},
};

/** Default label matchers for one service: `{selector}` is these plus the version matcher. */
export const DEFAULT_SELECTOR = 'service="{service}",environment="{environment}"';

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface QueryValues {
  service: string;
  environment: string;
  versionLabel: string;
  baseline: string;
  canary: string;
  /** Window length in whole seconds (windowed templates only). */
  windowSeconds: number;
  selectorTemplate: string;
}

/**
 * Fills `{service}`, `{environment}`, `{version}` (a regex matching both arms' values),
 * `{versionLabel}`, `{window}` (e.g. `60s`) and `{selector}`. Values are escaped for use in
 * a quoted label matcher. Unknown `{names}` are left as they are.
 */
export function renderQuery(template: string, v: QueryValues): string {
  const version = `${escapeRegex(v.baseline)}|${escapeRegex(v.canary)}`;
  const base: Record<string, string> = {
    service: escapeLabel(v.service),
    environment: escapeLabel(v.environment),
    version: escapeLabel(version),
    versionLabel: v.versionLabel,
    window: `${Math.max(1, Math.round(v.windowSeconds))}s`,
  };
  const fill = (t: string, values: Record<string, string>) =>
    t.replace(/\{([A-Za-z]+)\}/g, (m, name: string) => values[name] ?? m);
  const selector = [fill(v.selectorTemplate, base), `${v.versionLabel}=~"${base.version}"`]
    .filter((s) => s.length > 0)
    .join(',');
  return fill(template, { ...base, selector });
}

/** A template that names `{window}` is already windowed; otherwise it is a cumulative counter. */
export const isWindowed = (template: string) => template.includes('{window}');

export function sumBy(labels: (string | undefined)[], expr: string): string {
  return `sum by (${labels.filter((l) => l !== undefined).join(', ')}) (${expr})`;
}
