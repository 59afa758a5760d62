import type { Check, CheckContext, CheckResult } from '../../../ports/check.js';

/** The request of one step (the HTTP check's probe shape). */
export interface FlowStepRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  expectStatus?: number | number[];
  maxLatencyMs?: number;
  bodyMatch?: string;
  timeoutMs?: number;
}

export interface FlowStep extends FlowStepRequest {
  name: string;
}

/** What a probe answers (structurally the HTTP check's `httpProbe`). */
export interface FlowProbeResult {
  ok: boolean;
  durationMs: number;
  message: string;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export type FlowProbe = (
  request: FlowStepRequest,
  signal?: AbortSignal,
) => Promise<FlowProbeResult>;

export interface FlowCheckOptions {
  name: string;
  steps: FlowStep[];
  /** Sent with every request, e.g. the router's override header to reach the canary. */
  routeHeader?: { name: string; value: string };
}

interface StepAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json?: unknown;
}

class MissingValue extends Error {}

function lookup(answers: Map<string, StepAnswer>, path: string): string {
  const [, stepName, part, ...rest] = path.split('.');
  const answer = answers.get(stepName ?? '');
  if (!answer) throw new MissingValue(`{{${path}}}: no earlier step named ${String(stepName)}`);
  if (part === 'status') return String(answer.status);
  if (part === 'headers') {
    const v = answer.headers[rest.join('.').toLowerCase()];
    if (v === undefined) throw new MissingValue(`{{${path}}}: no such response header`);
    return v;
  }
  if (part === 'body' && rest.length === 0) return answer.body;
  if (part === 'body') {
    let v: unknown = answer.json;
    for (const key of rest) {
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    }
    if (v === undefined || v === null) throw new MissingValue(`{{${path}}}: not in the JSON body`);
    return typeof v === 'string' ? v : JSON.stringify(v);
  }
  throw new MissingValue(`{{${path}}}: expected steps.<name>.status|headers.<h>|body[.<path>]`);
}

/**
 * Check port: a synthetic user journey, HTTP steps in order, each able to use values from
 * earlier answers (`{{steps.login.body.token}}`, `{{steps.login.headers.location}}`,
 * `{{steps.login.status}}`) and the rollout's (`{{version}}`, `{{service}}`, …). Stops at
 * the first failing step; every step's timing is in the result.
 */
export class FlowCheck implements Check {
  readonly name: string;

  constructor(
    private readonly probe: FlowProbe,
    private readonly options: FlowCheckOptions,
  ) {
    this.name = options.name;
  }

  async run(context: CheckContext, signal?: AbortSignal): Promise<CheckResult> {
    const answers = new Map<string, StepAnswer>();
    const steps: NonNullable<CheckResult['steps']> = [];
    const ctx: Record<string, string> = {
      service: context.service,
      environment: context.environment,
      version: context.version,
      rolloutId: context.rolloutId,
      phase: context.phase,
    };
    const fill = (text: string, encode: boolean) =>
      text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (m, path: string) => {
        const v = path.startsWith('steps.') ? lookup(answers, path) : ctx[path];
        if (v === undefined) return m;
        return encode ? encodeURIComponent(v) : v;
      });
    let total = 0;
    for (const step of this.options.steps) {
      const { name, ...request } = step;
      let filled: FlowStepRequest;
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers ?? {})) headers[k] = fill(v, false);
        if (this.options.routeHeader) {
          headers[this.options.routeHeader.name] = this.options.routeHeader.value;
        }
        filled = {
          ...request,
          url: fill(request.url, true),
          headers,
          ...(request.body === undefined ? {} : { body: fill(request.body, false) }),
        };
      } catch (err) {
        if (!(err instanceof MissingValue)) throw err;
        steps.push({ name, ok: false, durationMs: 0, message: err.message });
        return this.result(false, total, steps, `step ${name}: ${err.message}`);
      }
      const r = await this.probe(filled, signal);
      total += r.durationMs;
      steps.push({ name, ok: r.ok, durationMs: r.durationMs, message: r.message });
      if (!r.ok) return this.result(false, total, steps, `step ${name} failed: ${r.message}`);
      const answer: StepAnswer = {
        status: r.status ?? 0,
        headers: r.headers ?? {},
        body: r.body ?? '',
      };
      try {
        answer.json = JSON.parse(answer.body);
      } catch {}
      answers.set(name, answer);
    }
    return this.result(true, total, steps, `${steps.length} steps passed in ${total} ms`);
  }

  private result(
    ok: boolean,
    durationMs: number,
    steps: NonNullable<CheckResult['steps']>,
    message: string,
  ): CheckResult {
    return { name: this.name, ok, durationMs, message, steps };
  }
}
