import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_POLICY_FILE } from '../../config/policy-file.js';
import { STARTER_POLICY } from '../../config/starter-policy.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';

/** `rollgate init`: writes a commented starter policy; never overwrites without --force. */
export function registerInitCommand(program: Command, context: CommandContext): void {
  program
    .command('init')
    .description('write a commented starter policy (rollgate.yaml)')
    .argument('[file]', 'where to write it', DEFAULT_POLICY_FILE)
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, options: { force?: boolean }) => {
      const path = resolve(context.io.cwd, file);
      try {
        await writeFile(path, STARTER_POLICY, { flag: options.force ? 'w' : 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new RollgateError('conflict', `${file} already exists; it was left as it is`, {
            hint: 'use `rollgate init --force` to overwrite it',
          });
        }
        throw new RollgateError(
          'invalid_input',
          `cannot write ${file}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      context.io.out(`wrote ${file}\nnext: rollgate validate && rollgate plan --type minor\n`);
      context.setExitCode(EXIT.ok);
    });
}
