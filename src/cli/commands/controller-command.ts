import type { Command } from 'commander';
import { runController } from '../../app/run-controller.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { addStoreOptions, DEFAULT_POLICY_FILE, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { stopSignal } from '../follow-rollout.js';
import { renderEvent } from '../render-rollout.js';

interface ControllerOptions {
  file: string;
  store?: string;
  speed?: string;
  exitWhenIdle?: boolean;
  id?: string;
  json?: boolean;
}

/**
 * `rollgate controller`: drive every rollout in the store in the foreground until SIGINT or
 * SIGTERM, then stop cleanly (work in progress is interrupted and nothing more is written;
 * the next controller resumes from the store). Holds a lease per rollout, so several
 * controllers (and `release start --wait`) can share one store.
 */
export function registerControllerCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('controller')
    .description('drive every rollout in flight until SIGINT/SIGTERM (prints their timelines)')
    .option('-f, --file <path>', 'policy file', DEFAULT_POLICY_FILE)
    .option('--speed <factor>', 'run policy time this many times faster (demos, tests)')
    .option('--id <name>', "this controller's stable id, for its leases (default: host:pid)")
    .option('--exit-when-idle', 'exit once no rollout is pending, running or rolling back')
    .option('--json', 'print events as JSON lines');
  addStoreOptions(command).action(async (options: ControllerOptions) => {
    const io = context.io;
    const speed = options.speed === undefined ? undefined : Number(options.speed);
    if (speed !== undefined && !(Number.isFinite(speed) && speed > 0)) {
      throw new RollgateError('invalid_input', `--speed ${options.speed} is not a positive number`);
    }
    await withCliApp(
      io,
      {
        store: options.store,
        policyFile: options.file,
        lease: true,
        ...(options.id === undefined ? {} : { leaseOwner: options.id }),
        ...(speed ? { speed } : {}),
      },
      async (app) => {
        const stop = stopSignal();
        if (!options.json) io.err('rollgate controller: running (Ctrl-C stops)\n');
        try {
          await runController(app, {
            signal: stop.signal,
            exitWhenIdle: options.exitWhenIdle ?? false,
            onEvent: (e) =>
              io.out(
                options.json
                  ? `${JSON.stringify(e)}\n`
                  : `${e.rolloutId} ${renderEvent(e).trimStart()}\n`,
              ),
          });
        } finally {
          stop.dispose();
        }
        if (!options.json) io.err('rollgate controller: stopped\n');
        context.setExitCode(EXIT.ok);
      },
    );
  });
}
