import { Command, CommanderError } from 'commander';
import { coerceError, RollgateError } from '../core/errors/rollgate-error.js';
import { type CliIo, processIo } from './cli-io.js';
import type { CommandContext } from './command-registry.js';
import { COMMANDS } from './commands/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { formatError } from './format-error.js';
import { VERSION } from './version.js';

export { VERSION };

export function buildProgram(context: CommandContext): Command {
  const program = new Command('rollgate')
    .description('Release runbooks as software: canary rollouts judged by sequential statistics.')
    .version(VERSION)
    // Program options only before the command: `release start --version V` is the release's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.out(text),
      writeErr: (text) => context.io.err(text),
    })
    .showHelpAfterError('(run `rollgate --help` for usage)');
  for (const register of COMMANDS) register(program, context);
  return program;
}

/** Runs one `rollgate` invocation and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const context: CommandContext = {
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.invalidInput;
    }
    const error = coerceError(err);
    io.err(formatError(error));
    return error instanceof RollgateError ? exitCodeFor(error.code) : EXIT.internal;
  }
}
