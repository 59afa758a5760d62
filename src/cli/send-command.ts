import type { Command } from 'commander';
import type { App } from '../app.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { RolloutCommand } from '../core/rollout/rollout-commands.js';
import type { CommandName, RolloutSnapshot } from '../core/rollout/rollout-types.js';
import { actorOf, addStoreOptions, type StoreOptions, withCliApp } from './cli-app.js';
import type { CommandContext } from './command-registry.js';
import { EXIT } from './exit-codes.js';
import { findRollout } from './find-rollout.js';
import { addRemoteOptions, RemoteApi, type RemoteOptions } from './remote-api.js';
import { sendRemote } from './remote-commands.js';
import { describeStepOf } from './render-rollout.js';

export interface SendOptions extends StoreOptions {
  service?: string;
  env?: string;
  reason?: string;
}

/**
 * Adds the options every rollout command shares ([id], --service, --env, --store, --actor,
 * --json) and its action: record the command on the rollout. The process drives nothing;
 * the controller (or a `release start --wait`) driving the rollout acts on it.
 */
export function rolloutCommand(
  program: Command,
  context: CommandContext,
  spec: {
    name: string;
    description: string;
    /** The command to send, from the arguments and options. */
    command: (options: SendOptions & Record<string, unknown>, text?: string) => RolloutCommand;
    /** Commands that apply to ended rollouts pick the latest when nothing is in flight. */
    latest?: boolean;
    /** A positional text argument (log "observation"). */
    text?: string;
  },
): Command {
  const print = (next: RolloutSnapshot, options: { json?: boolean }) => {
    const io = context.io;
    if (options.json) io.out(`${JSON.stringify(next, null, 2)}\n`);
    else {
      const detail = next.state === 'paused' && next.pauseReason ? ` (${next.pauseReason})` : '';
      io.out(
        `${spec.name}: rollout ${next.id} (${next.service} ${next.version}) is ${next.state}${detail}, ${describeStepOf(next)}, weight ${next.weight}%\n`,
      );
    }
  };
  const usage = spec.text ? `${spec.name} <${spec.text}...>` : `${spec.name} [id]`;
  const command = program
    .command(usage)
    .description(spec.description)
    .option('--service <name>', "the service's rollout in flight (instead of an id)")
    .option('--env <name>', 'environment (with --service)')
    .option('--json', 'print the rollout as JSON');
  addStoreOptions(command);
  addRemoteOptions(command);
  command.action(async (...args: unknown[]) => {
    let text: string | undefined;
    let id: string | undefined;
    if (spec.text) {
      // `log [id] "text"`: the last argument is the text, an argument before it the id.
      const words = args.shift() as string[];
      text = words.at(-1);
      if (words.length > 2) {
        throw new RollgateError('invalid_input', `${spec.name} takes an id and one ${spec.text}`, {
          hint: `quote the ${spec.text}: rollgate ${spec.name} ro-… "what you saw"`,
        });
      }
      id = words.length === 2 ? words[0] : undefined;
    } else id = args.shift() as string | undefined;
    const options = args[0] as SendOptions & RemoteOptions & Record<string, unknown>;
    const io = context.io;
    const remote = RemoteApi.from(options, io);
    if (remote) {
      // The server signs the command with its token's actor.
      const next = await sendRemote(
        remote,
        { id, service: options.service, env: options.env },
        spec.command(options, text),
        { latest: spec.latest ?? false, name: spec.name },
      );
      print(next, options);
      context.setExitCode(EXIT.ok);
      return;
    }
    const actor = actorOf(options, io);
    await withCliApp(io, options, async (app) => {
      // Stopped before the command: this process records it and drives nothing.
      await app.engine.stop();
      const target = await findRollout(
        app,
        { id, service: options.service, env: options.env },
        { latest: spec.latest ?? false },
      );
      const next = await app.engine
        .command(target.id, spec.command(options, text), actor)
        .catch(async (err: unknown) => {
          throw await explain(app, target.id, spec.name, err);
        });
      print(next, options);
      context.setExitCode(EXIT.ok);
    });
  });
  return command;
}

/** An illegal command names the rollout and its last change (who moved first, and when). */
async function explain(app: App, id: string, name: string, err: unknown): Promise<unknown> {
  if (!(err instanceof RollgateError) || err.code !== 'illegal_command') return err;
  const last = (await app.store.listEvents(id).catch(() => [])).at(-1);
  const by = last ? `; last change: ${last.type} by ${last.actor} at ${last.at}` : '';
  return new RollgateError(
    'illegal_command',
    `${name} not applied to rollout ${id}: ${err.message}${by}`,
    {
      cause: err,
      ...(err.hint === undefined ? {} : { hint: err.hint }),
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  );
}

export const simple =
  (name: CommandName) =>
  (options: SendOptions): RolloutCommand =>
    options.reason === undefined ? { name } : { name, reason: options.reason };
