import type { Command } from 'commander';
import type { App } from '../../app.js';
import {
  IN_FLIGHT_STATES,
  type OutboxMessage,
  type RolloutSnapshot,
  type RolloutState,
  type TimelineEvent,
} from '../../core/rollout/rollout-types.js';
import { isIncidentStore } from '../../ports/incident-store.js';
import { addStoreOptions, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { findRollout, type RolloutRef } from '../find-rollout.js';
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
      await showStatus(remoteSource(remote), id, options, context);
      return;
    }
    await withCliApp(io, options, async (app) => {
      await app.engine.stop(); // reads only: this process drives nothing
      await showStatus(localSource(app), id, options, context);
    });
  });
}

/** Where `status` reads: the store of this process, or a remote server's API. */
interface StatusSource<T extends { id: string }> {
  inFlight(): Promise<RolloutSnapshot[]>;
  find(ref: RolloutRef): Promise<T>;
  /** The rollout found, its timeline and (from a store) its dead letters. */
  detail(found: T): Promise<{
    rollout: RolloutSnapshot;
    events: TimelineEvent[];
    deadLetters?: OutboxMessage[];
  }>;
  follow(
    id: string,
    options: {
      until: readonly RolloutState[];
      signal: AbortSignal;
      onEvent: (e: TimelineEvent) => void;
    },
  ): Promise<RolloutSnapshot>;
}

function localSource(app: App): StatusSource<RolloutSnapshot> {
  return {
    inFlight: () => app.store.listRollouts({ states: IN_FLIGHT_STATES }),
    find: (ref) => findRollout(app, ref, { latest: true }),
    async detail(s) {
      const events = await app.store.listEvents(s.id);
      const deadLetters = isIncidentStore(app.store)
        ? await app.store.listOutbox({ rolloutId: s.id, statuses: ['dead'] })
        : [];
      return { rollout: s, events, deadLetters };
    },
    follow: (id, options) => followRollout(app, id, { drive: false, ...options }),
  };
}

function remoteSource(api: RemoteApi): StatusSource<{ id: string }> {
  return {
    inFlight: () => inFlightRemote(api),
    find: (ref) => findRollout({ store: api }, ref, { latest: true }),
    async detail(target) {
      const { rollout } = await api.snapshot(target.id);
      const events = await api.events(target.id);
      return { rollout, events };
    },
    follow: (id, options) => followRemote(api, id, options),
  };
}

/** `status` from either source: the same output, locally or from the API. */
async function showStatus<T extends { id: string }>(
  source: StatusSource<T>,
  id: string | undefined,
  options: StatusOptions,
  context: CommandContext,
): Promise<void> {
  const io = context.io;
  if (id === undefined && options.service === undefined) {
    const rollouts = await source.inFlight();
    if (options.json) io.out(`${JSON.stringify(rollouts, null, 2)}\n`);
    else if (rollouts.length === 0) io.out('no rollout in flight\n');
    else io.out(renderRolloutTable(rollouts));
    context.setExitCode(EXIT.ok);
    return;
  }
  const target = await source.find({ id, service: options.service, env: options.env });
  if (!options.watch) {
    const detail = await source.detail(target);
    if (options.json) io.out(`${JSON.stringify(detail, null, 2)}\n`);
    else
      io.out(
        renderRollout(detail.rollout, detail.events) + renderDeadLetters(detail.deadLetters ?? []),
      );
    context.setExitCode(EXIT.ok);
    return;
  }
  const stop = stopSignal();
  try {
    const final = await source.follow(target.id, {
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
