import { RollgateError } from '../../../core/errors/rollgate-error.js';
import {
  type CommandOutcome,
  type CommandRunner,
  EXIT_RETRYABLE,
} from '../../../ports/command-runner.js';
import type { Router, RouteTarget } from '../../../ports/router.js';

export interface CommandRouterOptions {
  /** Shell command that sets the weight (`$ROLLGATE_WEIGHT`, or `{weight}`). */
  setWeight: string;
  /** Shell command that prints the weight in force (a number, `25` or `25%`) on its last line. */
  getWeight: string;
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment (secret references already resolved). */
  env?: Record<string, string>;
  /** Resolved secret values, redacted from captured output. */
  secrets?: readonly string[];
  overrideHeader?: string;
}

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** `{name}` placeholders, each value shell-quoted; unknown names are left alone. */
export function fillCommand(template: string, values: Record<string, string>): string {
  return template.replace(/\{([A-Za-z]+)\}/g, (m, name: string) =>
    values[name] === undefined ? m : quote(values[name] as string),
  );
}

/**
 * Router port over a team's own scripts (docs/adapters/command.md). `setWeight` runs with
 * ROLLGATE_SERVICE, ROLLGATE_ENV, ROLLGATE_WEIGHT (and ROLLGATE_TARGET=router); `getWeight`
 * prints the weight in force. Exit 0 is success, 75 (EX_TEMPFAIL) a retryable failure,
 * anything else a failure; a timeout kills the script's process group.
 */
export class CommandRouter implements Router {
  readonly name = 'command';

  constructor(
    private readonly runner: CommandRunner,
    private readonly options: CommandRouterOptions,
  ) {}

  async setWeight(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void> {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw new RollgateError(
        'invalid_input',
        `invalid canary weight ${JSON.stringify(weight)}: expected a number from 0 to 100 (percent)`,
        { hint: 'weights are percentages of new requests sent to the canary' },
      );
    }
    await this.exec('setWeight', target, String(weight), signal);
  }

  async getWeight(target: RouteTarget, signal?: AbortSignal): Promise<number> {
    const outcome = await this.exec('getWeight', target, undefined, signal);
    const last = outcome.stdout.trim().split('\n').pop()?.trim() ?? '';
    const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(last);
    const weight = m ? Number(m[1]) : Number.NaN;
    if (!(weight >= 0 && weight <= 100)) {
      throw new RollgateError(
        'provider_error',
        `command router: getWeight printed ${JSON.stringify(last.slice(0, 80))}, not a weight from 0 to 100`,
        { hint: 'the getWeight script must print the canary weight (e.g. `25`) on its last line' },
      );
    }
    return weight;
  }

  /** The header your proxy honours to reach the canary directly (default x-rollgate-version). */
  overrideHeader(): { name: string; value: string } {
    return { name: this.options.overrideHeader ?? 'x-rollgate-version', value: 'canary' };
  }

  private async exec(
    which: 'setWeight' | 'getWeight',
    target: RouteTarget,
    weight: string | undefined,
    signal?: AbortSignal,
  ): Promise<CommandOutcome> {
    const values: Record<string, string> = {
      service: target.service,
      environment: target.environment,
      ...(weight === undefined ? {} : { weight }),
    };
    const env: Record<string, string> = {
      ...this.options.env,
      ROLLGATE_SERVICE: target.service,
      ROLLGATE_ENV: target.environment,
      ROLLGATE_TARGET: 'router',
      ...(weight === undefined ? {} : { ROLLGATE_WEIGHT: weight }),
    };
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const outcome = await this.runner.run(
      {
        command: fillCommand(this.options[which], values),
        env,
        timeoutMs,
        ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd }),
        ...(this.options.secrets === undefined ? {} : { secrets: this.options.secrets }),
      },
      signal,
    );
    if (outcome.exitCode === 0 && !outcome.timedOut) return outcome;
    const where = `command router ${which} for ${target.service}/${target.environment}`;
    const tail = outcome.output.trim().split('\n').slice(-5).join('\n');
    if (outcome.timedOut) {
      throw new RollgateError('timeout', `${where} did not finish within ${timeoutMs} ms`, {
        retryable: true,
        details: { output: outcome.output },
      });
    }
    const retryable = outcome.exitCode === EXIT_RETRYABLE;
    throw new RollgateError(
      'provider_error',
      `${where} exited with code ${String(outcome.exitCode)}${retryable ? ' (retryable)' : ''}${tail ? `: ${tail}` : ''}`,
      { retryable, details: { exitCode: outcome.exitCode, output: outcome.output } },
    );
  }
}
