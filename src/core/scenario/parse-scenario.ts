import { RollgateError } from '../errors/rollgate-error.js';
import type { ArmBatch, Batch, EndpointCounts } from '../judge/judge-types.js';

/**
 * Scenario files (docs/scenario-format.md): JSON Lines, a header then one batch a line.
 * The header's `truth` is for scoring only; the judge never sees it.
 */
export interface ScenarioHeader {
  name: string;
  /** Batch length, e.g. "1s", "10s", "1m". */
  batch: string;
  batchSeconds: number;
  truth?: Record<string, unknown>;
}

/** One line after the header: a batch, or a gap in the data. */
export interface ScenarioStep {
  /** When the judge looks (seconds): the batch's `t` plus its `age`. */
  now: number;
  /** Undefined for a `"missing": true` line (the metric source had nothing). */
  batch?: Batch;
}

export interface Scenario {
  header: ScenarioHeader;
  steps: ScenarioStep[];
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

export function parseScenario(text: string, source = 'scenario'): Scenario {
  const lines = text.split(/\r?\n/);
  let header: ScenarioHeader | undefined;
  const steps: ScenarioStep[] = [];
  let lastT = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw fail(
        where,
        `is not valid JSON (${(err as Error).message})`,
        'each line must be one JSON object.',
      );
    }
    if (!isObject(value)) throw fail(where, 'must be a JSON object', 'write one object per line.');
    if (!header) {
      header = parseHeader(value, where);
      continue;
    }
    const t = value.t;
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw fail(
        where,
        'field "t" must be a number of seconds',
        'every line after the header needs "t".',
      );
    if (t <= lastT)
      throw fail(
        where,
        `field "t" (${t}) must be greater than the previous line's (${lastT})`,
        'order lines by time.',
      );
    lastT = t;
    const age = value.age ?? 0;
    if (typeof age !== 'number' || !(age >= 0))
      throw fail(
        where,
        'field "age" must be a number of seconds ≥ 0',
        'age is how late the batch reached the judge.',
      );
    if (value.missing === true) {
      steps.push({ now: t });
      continue;
    }
    steps.push({ now: t + age, batch: parseBatch(value, where) });
  }
  if (!header)
    throw fail(`${source}:1`, 'is empty', 'start with a header line {"name": "…", "batch": "1s"}.');
  return { header, steps };
}

function parseHeader(v: Record<string, unknown>, where: string): ScenarioHeader {
  if (typeof v.name !== 'string' || v.name === '')
    throw fail(
      where,
      'header field "name" must be a non-empty string',
      'the first line is the header: {"name": "…", "batch": "1s"}.',
    );
  if (typeof v.batch !== 'string')
    throw fail(
      where,
      'header field "batch" must be a duration string like "1s"',
      'use ms, s or m, e.g. "1s" or "10s".',
    );
  const m = DURATION.exec(v.batch);
  if (!m)
    throw fail(
      where,
      `header field "batch" ("${v.batch}") is not a duration`,
      'use ms, s or m, e.g. "1s" or "10s".',
    );
  const n = Number(m[1]);
  const batchSeconds = m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
  if (!(batchSeconds > 0)) throw fail(where, 'header field "batch" must be positive', 'e.g. "1s".');
  if (v.truth !== undefined && !isObject(v.truth))
    throw fail(where, 'header field "truth" must be an object', 'or leave it out.');
  const header: ScenarioHeader = { name: v.name, batch: v.batch, batchSeconds };
  if (v.truth !== undefined) header.truth = v.truth as Record<string, unknown>;
  return header;
}

function parseBatch(v: Record<string, unknown>, where: string): Batch {
  const t = v.t;
  if (typeof t !== 'number' || !Number.isFinite(t))
    throw fail(where, 'field "t" must be a number of seconds', 'every batch line needs "t".');
  const weight = v.weight;
  if (typeof weight !== 'number' || weight < 0 || weight > 100)
    throw fail(
      where,
      'field "weight" must be the canary share in percent (0..100)',
      'e.g. "weight": 5.',
    );
  return {
    t,
    weight,
    baseline: parseArm(v.baseline, `${where}`, 'baseline'),
    canary: parseArm(v.canary, `${where}`, 'canary'),
  };
}

function parseArm(v: unknown, where: string, arm: string): ArmBatch {
  if (!isObject(v))
    throw fail(
      where,
      `field "${arm}" must be an object`,
      `give {"requests": n, "errors": n} for the ${arm}.`,
    );
  const count = (field: string, required: boolean): number | undefined => {
    const x = v[field];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      throw fail(
        where,
        `field "${arm}.${field}" must be a whole number ≥ 0`,
        `counts are per batch, not rates.`,
      );
    return x;
  };
  const requests = count('requests', true)!;
  const errors = count('errors', true)!;
  if (errors > requests)
    throw fail(
      where,
      `field "${arm}.errors" (${errors}) exceeds "${arm}.requests" (${requests})`,
      'errors are counted among the requests.',
    );
  const out: ArmBatch = { requests, errors };
  const units = count('units', false);
  const unitErrors = count('unitErrors', false);
  if (units !== undefined) out.units = units;
  if (unitErrors !== undefined) {
    if (units === undefined || unitErrors > units)
      throw fail(
        where,
        `field "${arm}.unitErrors" needs "${arm}.units" and must not exceed it`,
        'give both or neither.',
      );
    out.unitErrors = unitErrors;
  }
  if (v.latency !== undefined) out.latency = parseLatency(v.latency, where, arm);
  if (v.endpoints !== undefined) {
    if (!isObject(v.endpoints))
      throw fail(
        where,
        `field "${arm}.endpoints" must be an object keyed by path`,
        'e.g. {"/pay": {"requests": 10, "errors": 0}}.',
      );
    const endpoints: Record<string, EndpointCounts> = {};
    for (const [path, e] of Object.entries(v.endpoints)) {
      if (!isObject(e) || !isCount(e.requests) || !isCount(e.errors) || e.errors > e.requests)
        throw fail(
          where,
          `field "${arm}.endpoints.${path}" must be {"requests": n, "errors": n} with errors ≤ requests`,
          'counts are whole numbers per batch.',
        );
      endpoints[path] = { requests: e.requests, errors: e.errors };
    }
    out.endpoints = endpoints;
  }
  if (v.gauges !== undefined) {
    if (!isObject(v.gauges))
      throw fail(
        where,
        `field "${arm}.gauges" must be an object of numbers`,
        'e.g. {"memory": 0.72} (fractions 0..1).',
      );
    const gauges: Record<string, number> = {};
    for (const [name, g] of Object.entries(v.gauges)) {
      if (typeof g !== 'number' || !Number.isFinite(g))
        throw fail(
          where,
          `field "${arm}.gauges.${name}" must be a number`,
          'gauges are fractions, e.g. 0.72 for 72 %.',
        );
      gauges[name] = g;
    }
    out.gauges = gauges;
  }
  return out;
}

function parseLatency(v: unknown, where: string, arm: string): Record<string, number> {
  const field = `${arm}.latency`;
  if (!isObject(v))
    throw fail(
      where,
      `field "${field}" must be an object of cumulative counts`,
      'e.g. {"0.1": 40, "0.5": 48, "+Inf": 50}.',
    );
  const edges: [number, number][] = [];
  let inf: number | undefined;
  for (const [key, count] of Object.entries(v)) {
    if (!isCount(count))
      throw fail(
        where,
        `field "${field}.${key}" must be a whole number ≥ 0`,
        'buckets hold cumulative counts.',
      );
    if (key === '+Inf') {
      inf = count;
      continue;
    }
    const le = Number(key);
    if (!Number.isFinite(le) || le <= 0)
      throw fail(
        where,
        `field "${field}" has bucket "${key}", which is not a number of seconds`,
        'keys are upper bounds in seconds ("0.25") or "+Inf".',
      );
    edges.push([le, count]);
  }
  if (inf === undefined)
    throw fail(
      where,
      `field "${field}" has no "+Inf" bucket`,
      'add "+Inf" with the total request count.',
    );
  edges.sort((a, b) => a[0] - b[0]);
  let prev = 0;
  for (const [le, count] of edges) {
    if (count < prev)
      throw fail(
        where,
        `field "${field}" is not cumulative at bucket "${le}" (${count} < ${prev})`,
        'each bucket counts requests at or below its bound.',
      );
    prev = count;
  }
  if (inf < prev)
    throw fail(
      where,
      `field "${field}.+Inf" (${inf}) is below a smaller bucket (${prev})`,
      '"+Inf" is the total.',
    );
  return v as Record<string, number>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function fail(where: string, what: string, hint: string): RollgateError {
  return new RollgateError('invalid_input', `${where}: ${what}`, { hint });
}
