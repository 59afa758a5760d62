import type { Check, CheckContext, CheckResult } from '../../src/ports/check.js';

/** A check with scripted outcomes: pass by default, or the results given, in order. */
export class FakeCheck implements Check {
  readonly runs: CheckContext[] = [];
  private readonly script: (boolean | 'throw')[];

  constructor(
    readonly name: string,
    script: (boolean | 'throw')[] = [],
  ) {
    this.script = [...script];
  }

  async run(context: CheckContext): Promise<CheckResult> {
    this.runs.push(context);
    const next = this.script.length > 0 ? this.script.shift() : true;
    if (next === 'throw') throw new Error(`${this.name}: cannot reach the service (fake)`);
    return {
      name: this.name,
      ok: next === true,
      durationMs: 12,
      message: next ? 'ok' : 'HTTP 500 from /health (fake)',
    };
  }
}
