import { RollgateError } from '../core/errors/rollgate-error.js';
import { IN_FLIGHT_STATES, type RolloutSnapshot } from '../core/rollout/rollout-types.js';

export interface RolloutRef {
  id?: string;
  service?: string;
  env?: string;
}

/**
 * The rollout a command names: by id, or the service's rollout in flight (`--service`,
 * `--env` when it is in flight in several environments). With `latest`, a service with
 * nothing in flight gives its most recent rollout (rollback after completion, retry).
 */
/** Where rollouts are looked up: the store, or a remote server's API (remote-api.ts). */
export interface RolloutLookup<T extends Pick<RolloutSnapshot, 'id' | 'state' | 'environment'>> {
  getRollout(id: string): Promise<T | undefined>;
  /** Newest first. */
  listRollouts(filter: { service: string }): Promise<T[]>;
}

export async function findRollout<
  T extends Pick<RolloutSnapshot, 'id' | 'state' | 'environment'> = RolloutSnapshot,
>(
  app: { store: RolloutLookup<T> },
  ref: RolloutRef,
  options: { latest?: boolean } = {},
): Promise<T> {
  if (ref.id !== undefined) {
    const s = await app.store.getRollout(ref.id);
    if (s === undefined) {
      throw new RollgateError('not_found', `no rollout ${ref.id} in this store`, {
        hint: 'list rollouts with `rollgate history` (and check --store)',
        details: { rolloutId: ref.id },
      });
    }
    return s;
  }
  if (ref.service === undefined) {
    throw new RollgateError('invalid_input', 'which rollout? give its id, or --service NAME', {
      hint: '`rollgate status` lists the rollouts in flight',
    });
  }
  const service = ref.service;
  const all = (await app.store.listRollouts({ service })).filter(
    (r) => ref.env === undefined || r.environment === ref.env,
  );
  const where = ref.env === undefined ? service : `${service} in ${ref.env}`;
  const inFlight = all.filter((r) => IN_FLIGHT_STATES.includes(r.state));
  if (inFlight.length > 1) {
    throw new RollgateError(
      'invalid_input',
      `${where} has ${inFlight.length} rollouts in flight (${inFlight.map((r) => `${r.id} in ${r.environment}`).join(', ')})`,
      { hint: 'name one: give its id, or add --env' },
    );
  }
  const pick = inFlight[0] ?? (options.latest ? all[0] : undefined);
  if (pick === undefined) {
    throw new RollgateError(
      'not_found',
      all.length === 0
        ? `no rollout of ${where} in this store`
        : `no rollout of ${where} in flight`,
      { hint: '`rollgate history --service NAME` lists its rollouts; give an id' },
    );
  }
  return pick;
}
