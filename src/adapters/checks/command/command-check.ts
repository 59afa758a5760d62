import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { Check, CheckContext, CheckResult } from '../../../ports/check.js';
import { type CommandRunner, EXIT_RETRYABLE } from '../../../ports/command-runner.js';

export interface CommandCheckOptions {
  name: string;
  run: string;
  timeoutMs?: number;
  cwd?: string;
  env?: Record<string, string>;
  secrets?: readonly string[];
}

/**
 * Check port over a script: exit 0 passes, any other exit fails the check (a rollback
 * reason); exit 75 (EX_TEMPFAIL) or a timeout means the check could not run, a retryable
 * error (the engine retries, then pauses). The environment is the command adapters' own:
 * ROLLGATE_SERVICE, ROLLGATE_ENV, ROLLGATE_VERSION, ROLLGATE_ROLLOUT_ID, ROLLGATE_PHASE.
 */
export class CommandCheck implements Check {
  readonly name: string;

  constructor(
    private readonly runner: CommandRunner,
    private readonly options: CommandCheckOptions,
  ) {
    this.name = options.name;
  }

  async run(context: CheckContext, signal?: AbortSignal): Promise<CheckResult> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const outcome = await this.runner.run(
      {
        command: this.options.run,
        env: {
          ...this.options.env,
          ROLLGATE_SERVICE: context.service,
          ROLLGATE_ENV: context.environment,
          ROLLGATE_VERSION: context.version,
          ROLLGATE_ROLLOUT_ID: context.rolloutId,
          ROLLGATE_PHASE: context.phase,
        },
        timeoutMs,
        ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd }),
        ...(this.options.secrets === undefined ? {} : { secrets: this.options.secrets }),
      },
      signal,
    );
    const tail = outcome.output.trim().split('\n').slice(-3).join(' | ');
    if (outcome.timedOut || outcome.exitCode === EXIT_RETRYABLE) {
      throw new RollgateError(
        outcome.timedOut ? 'timeout' : 'provider_error',
        `check ${this.name} could not run: ${outcome.timedOut ? `no result within ${timeoutMs} ms` : `exit ${EXIT_RETRYABLE} (try again later)`}${tail ? `: ${tail}` : ''}`,
        { retryable: true, details: { output: outcome.output } },
      );
    }
    const ok = outcome.exitCode === 0;
    return {
      name: this.name,
      ok,
      durationMs: outcome.durationMs,
      message: `${ok ? 'passed' : `failed with exit code ${String(outcome.exitCode)}`}${tail ? `: ${tail}` : ''}`,
    };
  }
}
