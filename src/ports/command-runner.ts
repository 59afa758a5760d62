/**
 * CommandRunner port: runs one of a team's own scripts (command router, deployer, check).
 * The implementation (src/adapters/exec/) owns process groups, timeouts, bounded output
 * and redaction; the adapters that use it only decide what an exit code means.
 */
export interface CommandSpec {
  /** A shell command line, run with /bin/sh -c. */
  command: string;
  /** Added to the controller's own environment. */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  /** Values replaced by `[REDACTED]` in the captured output (resolved secrets). */
  secrets?: readonly string[];
  /** Bytes of output kept (the end of it). Default 16 KiB. */
  maxOutputBytes?: number;
}

export interface CommandOutcome {
  /** null when killed by a signal (timeout, abort). */
  exitCode: number | null;
  timedOut: boolean;
  /** stdout then stderr interleaved as written, bounded and redacted. */
  output: string;
  /** stdout alone, bounded and redacted (what a `get` script prints). */
  stdout: string;
  durationMs: number;
}

/** sysexits.h EX_TEMPFAIL: "try again later". Every command adapter treats it as retryable. */
export const EXIT_RETRYABLE = 75;

export interface CommandRunner {
  run(spec: CommandSpec, signal?: AbortSignal): Promise<CommandOutcome>;
}
