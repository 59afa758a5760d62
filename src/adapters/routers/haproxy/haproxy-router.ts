import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { Router, RouteTarget } from '../../../ports/router.js';
import { runtimeApiCommand } from './haproxy-runtime-api.js';

export interface HaproxyRouterOptions {
  /** The runtime API: a unix socket path (`/run/haproxy/admin.sock`) or `host:port`. */
  runtimeApi: string;
  backend: string;
  stableServer: string;
  canaryServer: string;
  /** Sum of the two absolute weights (HAProxy allows 0..256). Default 200: steps of 0.5 %. */
  totalWeight?: number;
  /** Per runtime-API call. Default 5 s. */
  timeoutMs?: number;
  /** Header the HAProxy config routes on with `use-server` (documented; default x-rollgate-version). */
  overrideHeader?: string;
}

/** Thrown when the weights in HAProxy are not the ones rollgate last set. */
export const DRIFT_DETAIL = 'drift';

function checkWeight(weight: number, total: number): number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new RollgateError(
      'invalid_input',
      `invalid canary weight ${JSON.stringify(weight)}: expected a number from 0 to 100 (percent)`,
      { hint: 'weights are percentages of new requests sent to the canary' },
    );
  }
  const canary = (weight * total) / 100;
  if (Math.abs(canary - Math.round(canary)) > 1e-9) {
    throw new RollgateError(
      'invalid_input',
      `canary weight ${weight}% cannot be set exactly in HAProxy: weights go in steps of ${100 / total}% (0 to 100)`,
      { hint: `use a multiple of ${100 / total}%, or raise totalWeight (at most 256)` },
    );
  }
  return Math.round(canary);
}

/**
 * Router port over HAProxy's runtime API (docs/adapters/haproxy.md). The canary weight w is
 * written as two absolute server weights, canary = w·T/100 and stable = T − canary
 * (T = totalWeight), never as `N%`, which HAProxy reads relative to the configured weight.
 * `getWeight` reads both back with `get weight`. A weight changed by someone else since
 * rollgate last set it is drift: the next non-zero `setWeight` refuses with a `conflict`
 * error (details.drift) so the engine pauses and a person looks; weight 0 (rollback) always
 * goes through.
 */
export class HaproxyRouter implements Router {
  readonly name = 'haproxy';
  private readonly total: number;
  private readonly lastSet = new Map<string, number>();

  constructor(private readonly options: HaproxyRouterOptions) {
    this.total = options.totalWeight ?? 200;
    if (!Number.isInteger(this.total) || this.total < 1 || this.total > 256) {
      throw new RollgateError(
        'invalid_input',
        `HAProxy router: totalWeight ${this.total} is out of range (1 to 256)`,
      );
    }
  }

  async setWeight(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void> {
    const canary = checkWeight(weight, this.total);
    const key = `${target.service}\u0000${target.environment}`;
    const expected = this.lastSet.get(key);
    let actual: number | undefined;
    try {
      actual = await this.getWeight(target, signal);
    } catch (err) {
      // Needed for the drift check; otherwise only for the order of the two writes.
      if (expected !== undefined && weight !== 0) throw err;
    }
    if (expected !== undefined && weight !== 0 && actual !== expected) {
      throw new RollgateError(
        'conflict',
        `HAProxy ${this.options.backend}: the canary weight is ${String(actual)}% but rollgate last set ${expected}% — someone else changed it`,
        {
          retryable: false,
          hint: 'find out who changed the weights (runtime API or a reload), then resume or roll back',
          details: { [DRIFT_DETAIL]: true, expected, actual, backend: this.options.backend },
        },
      );
    }
    const { backend, stableServer, canaryServer } = this.options;
    // Raise the server that gains weight first, then lower the other: the two never sum
    // to 0 (which would answer 503), and in between the split lies between old and new.
    const stable = this.total - canary;
    const commands = [
      `set server ${backend}/${stableServer} weight ${stable}`,
      `set server ${backend}/${canaryServer} weight ${canary}`,
    ];
    if (weight > (actual ?? expected ?? 0)) commands.reverse();
    for (const command of commands) {
      const answer = (await this.call(command, signal)).trim();
      if (answer !== '') {
        throw new RollgateError(
          'provider_error',
          `HAProxy ${backend}: "${command}" was refused: ${answer}`,
          { hint: 'check the backend and server names in the policy against haproxy.cfg' },
        );
      }
    }
    this.lastSet.set(key, weight);
  }

  async getWeight(_target: RouteTarget, signal?: AbortSignal): Promise<number> {
    const { backend, stableServer, canaryServer } = this.options;
    const canary = await this.readServerWeight(`${backend}/${canaryServer}`, signal);
    const stable = await this.readServerWeight(`${backend}/${stableServer}`, signal);
    if (canary + stable === 0) {
      throw new RollgateError(
        'provider_error',
        `HAProxy ${backend}: both ${stableServer} and ${canaryServer} have weight 0, so no split is in force`,
        { hint: 'set the stable server back to a positive weight' },
      );
    }
    return Math.round(((canary * 100) / (canary + stable)) * 100) / 100;
  }

  overrideHeader(): { name: string; value: string } {
    return { name: this.options.overrideHeader ?? 'x-rollgate-version', value: 'canary' };
  }

  private async readServerWeight(server: string, signal?: AbortSignal): Promise<number> {
    const answer = (await this.call(`get weight ${server}`, signal)).trim();
    const m = /^(\d+) \(initial \d+\)$/.exec(answer);
    if (!m) {
      throw new RollgateError(
        'provider_error',
        `HAProxy: "get weight ${server}" answered "${answer.slice(0, 200)}"`,
        { hint: 'check the backend and server names in the policy against haproxy.cfg' },
      );
    }
    return Number(m[1]);
  }

  private call(command: string, signal?: AbortSignal): Promise<string> {
    return runtimeApiCommand(this.options.runtimeApi, command, {
      timeoutMs: this.options.timeoutMs ?? 5_000,
      signal,
    });
  }
}
