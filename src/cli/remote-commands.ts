/**
 * The remote halves of the rollout commands (`--server`): status, the person's commands,
 * log, and release start, with the same output and exit codes as the local ones.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { RolloutCommand } from '../core/rollout/rollout-commands.js';
import {
  IN_FLIGHT_STATES,
  type Release,
  type RolloutSnapshot,
  type RolloutState,
  type TimelineEvent,
} from '../core/rollout/rollout-types.js';
import { findRollout, type RolloutRef } from './find-rollout.js';
import type { RemoteApi, RolloutSummary } from './remote-api.js';

/** Sends a person's command (or an observation) to the server; returns the rollout after it. */
export async function sendRemote(
  api: RemoteApi,
  ref: RolloutRef,
  command: RolloutCommand,
  options: { latest: boolean; name: string },
): Promise<RolloutSnapshot> {
  const target = await findRollout({ store: api }, { ...ref }, { latest: options.latest });
  const path = `/rollouts/${encodeURIComponent(target.id)}`;
  try {
    if (command.name === 'observe') {
      await api.call('POST', `${path}/observations`, { text: command.text ?? '' });
    } else {
      await api.call('POST', `${path}/commands`, {
        command: command.name,
        ...(command.reason === undefined ? {} : { reason: command.reason }),
      });
    }
  } catch (err) {
    if (!(err instanceof RollgateError) || err.code !== 'illegal_command') throw err;
    const last = (await api.events(target.id).catch(() => [])).at(-1);
    const by = last ? `; last change: ${last.type} by ${last.actor} at ${last.at}` : '';
    throw new RollgateError(
      'illegal_command',
      `${options.name} not applied to rollout ${target.id}: ${err.message}${by}`,
      { cause: err, ...(err.hint === undefined ? {} : { hint: err.hint }) },
    );
  }
  return (await api.snapshot(target.id)).rollout;
}

/** The full snapshots of the rollouts in flight (`status` without an id). */
export async function inFlightRemote(api: RemoteApi): Promise<RolloutSnapshot[]> {
  const list = (await api.listRollouts({})).filter((r: RolloutSummary) =>
    IN_FLIGHT_STATES.includes(r.state),
  );
  const out: RolloutSnapshot[] = [];
  for (const r of list) out.push((await api.snapshot(r.id)).rollout);
  return out;
}

/** Follows a rollout's timeline over the API until one of `until` (or the signal). */
export async function followRemote(
  api: RemoteApi,
  id: string,
  options: {
    until: readonly RolloutState[];
    signal: AbortSignal;
    onEvent?: (e: TimelineEvent) => void;
    pollMs?: number;
  },
): Promise<RolloutSnapshot> {
  let seq = 0;
  for (;;) {
    const { rollout } = await api.snapshot(id);
    if (rollout.lastSeq > seq) {
      for (const e of await api.events(id, seq)) {
        options.onEvent?.(e);
        seq = e.seq;
      }
    }
    if (options.until.includes(rollout.state) || options.signal.aborted) return rollout;
    await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(
      () => undefined,
    );
  }
}

export interface RemoteReleaseInput {
  service: string;
  version: string;
  type: string;
  previousVersion?: string;
  environment?: string;
  risk?: string;
  notes?: string;
}

export async function startRemote(
  api: RemoteApi,
  input: RemoteReleaseInput,
): Promise<{ release: Release; rollout: RolloutSnapshot; stepCount: number }> {
  const started = await api.call<{ release: Release; rollout: RolloutSummary }>(
    'POST',
    '/releases',
    input,
  );
  const { rollout } = await api.snapshot(started.rollout.id);
  return { release: started.release, rollout, stepCount: started.rollout.stepCount };
}
