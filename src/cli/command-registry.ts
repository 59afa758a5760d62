import type { Command } from 'commander';
import type { CliIo } from './cli-io.js';

/**
 * Each CLI command lives in its own file under commands/ and exports a registrar.
 * A registrar adds its command to the program; its action returns the exit code.
 */
export interface CommandContext {
  io: CliIo;
  /** Set by an action: the process exit code. */
  setExitCode(code: number): void;
}

export type CommandRegistrar = (program: Command, context: CommandContext) => void;
