import type { Command } from 'commander';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { addStoreOptions, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { renderRolloutTable } from '../render-rollout.js';

interface HistoryOptions {
  service?: string;
  limit: string;
  json?: boolean;
  store?: string;
}

/** `rollgate history`: rollouts, newest first. */
export function registerHistoryCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('history')
    .description('list rollouts, newest first')
    .option('--service <name>', 'only this service')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON');
  addStoreOptions(command).action(async (options: HistoryOptions) => {
    const limit = Number(options.limit);
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RollgateError(
        'invalid_input',
        `--limit ${options.limit} is not a positive whole number`,
      );
    }
    await withCliApp(context.io, options, async (app) => {
      await app.engine.stop();
      const rollouts = await app.store.listRollouts({
        ...(options.service === undefined ? {} : { service: options.service }),
        limit,
      });
      if (options.json) context.io.out(`${JSON.stringify(rollouts, null, 2)}\n`);
      else if (rollouts.length === 0) context.io.out('no rollouts yet\n');
      else context.io.out(renderRolloutTable(rollouts));
      context.setExitCode(EXIT.ok);
    });
  });
}
