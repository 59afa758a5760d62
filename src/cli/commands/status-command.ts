import type { Command } from 'commander';
import { IN_FLIGHT_STATES, type OutboxMessage } from '../../core/rollout/rollout-types.js';
import { isIncidentStore } from '../../ports/incident-store.js';
import { addStoreOptions, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { findRollout } from '../find-rollout.js';
import { exitCodeForState, followRollout, stopSignal, WATCH_ENDS } from '../follow-rollout.js';
import { addRemoteOptions, RemoteApi, type RemoteOptions } from '../remote-api.js';
import { followRemote, inFlightRemote } from '../remote-commands.js';
import { renderEvent, renderRollout, renderRolloutTable } from '../render-rollout.js';

interface StatusOptions extends RemoteOptions {
  service?: string;
  env?: string;
  watch?: boolean;
  json?: boolean;
  store?: string;
  actor?: string;
}

/** `rollgate status [id]`: one rollout (or every rollout in flight), optionally followed live. */
export function registerStatusCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('status [id]')
    .description('show a rollout (default: every rollout in flight); --watch follows it to its end')
    .option('--service <name>', "the service's rollout in flight")
    .option('--env <name>', 'environment (with --service)')
    .option(
      '--watch',
      'follow the timeline until the rollout ends (exit 0 completed, 3 rolled back, 5 failed)',
    )
    .option('--json', 'print JSON');
  addRemoteOptions(command);
  addStoreOptions(command).action(async (id: string | undefined, options: StatusOptions) => {
    const io = context.io;
    const remote = RemoteApi.from(options, io);
    if (remote) {
      await remoteStatus(remote, id, options, context);
      return;
    }
    await withCliApp(io, options, async (app) => {
      await app.engine.stop(); // reads only: this process drives nothing
      if (id === undefined && options.service === undefined) {
        const rollouts = await app.store.listRollouts({ states: IN_FLIGHT_STATES });
        if (options.json) io.out(`${JSON.stringify(rollouts, null, 2)}\n`);
        else if (rollouts.length === 0) io.out('no rollout in flight\n');
        else io.out(renderRolloutTable(rollouts));
        context.setExitCode(EXIT.ok);
        return;
      }
      const s = await findRollout(
        app,
        { id, service: options.service, env: options.env },
        { latest: true },
      );
      if (!options.watch) {
        const events = await app.store.listEvents(s.id);
        const dead = isIncidentStore(app.store)
          ? await app.store.listOutbox({ rolloutId: s.id, statuses: ['dead'] })
          : [];
        if (options.json)
          io.out(`${JSON.stringify({ rollout: s, events, deadLetters: dead }, null, 2)}\n`);
        else io.out(renderRollout(s, events) + renderDeadLetters(dead));
        context.setExitCode(EXIT.ok);
        return;
      }
      const stop = stopSignal();
      try {
        const final = await followRollout(app, s.id, {
          drive: false,
          until: WATCH_ENDS,
          signal: stop.signal,
          onEvent: (e) => io.out(options.json ? `${JSON.stringify(e)}\n` : `${renderEvent(e)}\n`),
        });
        if (!options.json) io.out(renderRollout(final, [], 0));
        context.setExitCode(
          WATCH_ENDS.includes(final.state) ? exitCodeForState(final.state) : EXIT.interrupted,
        );
      } finally {
        stop.dispose();
      }
    });
  });
}

/** `status` against a remote server: the same output from the API. */
async function remoteStatus(
  api: RemoteApi,
  id: string | undefined,
  options: StatusOptions,
  context: CommandContext,
): Promise<void> {
  const io = context.io;
  if (id === undefined && options.service === undefined) {
    const rollouts = await inFlightRemote(api);
    if (options.json) io.out(`${JSON.stringify(rollouts, null, 2)}\n`);
    else if (rollouts.length === 0) io.out('no rollout in flight\n');
    else io.out(renderRolloutTable(rollouts));
    context.setExitCode(EXIT.ok);
    return;
  }
  const target = await findRollout(
    { store: api },
    { id, service: options.service, env: options.env },
    { latest: true },
  );
  if (!options.watch) {
    const { rollout } = await api.snapshot(target.id);
    const events = await api.events(target.id);
    if (options.json) io.out(`${JSON.stringify({ rollout, events }, null, 2)}\n`);
    else io.out(renderRollout(rollout, events));
    context.setExitCode(EXIT.ok);
    return;
  }
  const stop = stopSignal();
  try {
    const final = await followRemote(api, target.id, {
      until: WATCH_ENDS,
      signal: stop.signal,
      onEvent: (e) => io.out(options.json ? `${JSON.stringify(e)}\n` : `${renderEvent(e)}\n`),
    });
    if (!options.json) io.out(renderRollout(final, [], 0));
    context.setExitCode(
      WATCH_ENDS.includes(final.state) ? exitCodeForState(final.state) : EXIT.interrupted,
    );
  } finally {
    stop.dispose();
  }
}

/** Notifications that were never delivered (dead letters), under the rollout. */
function renderDeadLetters(dead: readonly OutboxMessage[]): string {
  if (dead.length === 0) return '';
  const lines = dead.map(
    (m) =>
      `  ${m.eventType} → ${m.route} (${m.attempts} attempts): ${m.lastError ?? 'no error recorded'}`,
  );
  return `\nnotifications not delivered (dead letters):\n${lines.join('\n')}\n`;
}
