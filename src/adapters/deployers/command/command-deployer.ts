import { RollgateError } from '../../../core/errors/rollgate-error.js';
import { type CommandRunner, EXIT_RETRYABLE } from '../../../ports/command-runner.js';
import type { Deployer, DeployRequest, DeployResult } from '../../../ports/deployer.js';

export interface CommandDeployerOptions {
  deploy: string;
  rollback: string;
  timeoutMs?: number;
  cwd?: string;
  /** Extra environment (secret references already resolved). */
  env?: Record<string, string>;
  /** Resolved secret values, redacted from captured output. */
  secrets?: readonly string[];
}

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** The environment every deploy and rollback script gets (docs/adapters/command.md). */
export function deployEnvironment(request: DeployRequest): Record<string, string> {
  return {
    ROLLGATE_SERVICE: request.service,
    ROLLGATE_ENV: request.environment,
    ROLLGATE_VERSION: request.version,
    ROLLGATE_PREVIOUS_VERSION: request.previousVersion,
    ROLLGATE_ROLLOUT_ID: request.rolloutId,
    ROLLGATE_TARGET: request.target,
  };
}

/**
 * Deployer port over a team's own scripts. Exit 0: done. Exit 75 (EX_TEMPFAIL) or a
 * timeout: a retryable error (the engine retries, then pauses). Any other exit: a failed
 * deploy (`ok: false`) with the captured, redacted output for the timeline.
 */
export class CommandDeployer implements Deployer {
  readonly name = 'command';

  constructor(
    private readonly runner: CommandRunner,
    private readonly options: CommandDeployerOptions,
  ) {}

  deploy(request: DeployRequest, signal?: AbortSignal): Promise<DeployResult> {
    return this.exec('deploy', request, signal);
  }

  rollback(request: DeployRequest, signal?: AbortSignal): Promise<DeployResult> {
    return this.exec('rollback', request, signal);
  }

  private async exec(
    which: 'deploy' | 'rollback',
    request: DeployRequest,
    signal?: AbortSignal,
  ): Promise<DeployResult> {
    const values: Record<string, string> = {
      service: request.service,
      environment: request.environment,
      version: request.version,
      previousVersion: request.previousVersion,
      target: request.target,
      rolloutId: request.rolloutId,
    };
    const command = this.options[which].replace(/\{([A-Za-z]+)\}/g, (m, name: string) =>
      values[name] === undefined ? m : quote(values[name] as string),
    );
    const timeoutMs = this.options.timeoutMs ?? 15 * 60_000;
    const outcome = await this.runner.run(
      {
        command,
        env: { ...this.options.env, ...deployEnvironment(request) },
        timeoutMs,
        ...(this.options.cwd === undefined ? {} : { cwd: this.options.cwd }),
        ...(this.options.secrets === undefined ? {} : { secrets: this.options.secrets }),
      },
      signal,
    );
    const what = `${which} of ${request.service} ${request.version} (${request.target}, ${request.environment})`;
    if (outcome.timedOut) {
      throw new RollgateError('timeout', `${what} did not finish within ${timeoutMs} ms`, {
        retryable: true,
        details: { output: outcome.output },
      });
    }
    if (outcome.exitCode === EXIT_RETRYABLE) {
      throw new RollgateError(
        'provider_error',
        `${what}: the script asked to retry (exit ${EXIT_RETRYABLE})`,
        { retryable: true, details: { output: outcome.output } },
      );
    }
    if (outcome.exitCode === 0) {
      return {
        ok: true,
        output: outcome.output,
        message: `${what}: done in ${outcome.durationMs} ms`,
      };
    }
    const tail = outcome.output.trim().split('\n').slice(-3).join(' | ');
    return {
      ok: false,
      output: outcome.output,
      message: `${what} failed with exit code ${String(outcome.exitCode)}${tail ? `: ${tail}` : ''}`,
    };
  }
}
