import { RollgateError } from '../core/errors/rollgate-error.js';
import { BUCKETS, bucketOf, thresholdOf } from './bucket-hash.js';
import type { Arm } from './measurement-ring.js';

/** Why a request went where it went. */
export type Assignment = 'unit' | 'random' | 'override';

export interface Decision {
  arm: Arm;
  assignment: Assignment;
}

/** Validate a canary weight; the message says what was wrong and what is allowed. */
export function validateWeight(weight: unknown): number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new RollgateError(
      'invalid_input',
      `invalid canary weight ${JSON.stringify(weight)}: expected a number from 0 to 100 (percent)`,
      { hint: 'send {"weight": 10} for 10 % of new requests to the canary' },
    );
  }
  if (Math.abs(weight * 100 - Math.round(weight * 100)) > 1e-6) {
    throw new RollgateError(
      'invalid_input',
      `invalid canary weight ${weight}: at most two decimals (the router has ${BUCKETS} buckets)`,
      { hint: 'round the weight to 0.01 %' },
    );
  }
  return weight;
}

/**
 * Decides stable or canary for each new request. The weight is one number read once per
 * request, so a change takes effect atomically for every request that starts after it, and
 * requests already in flight keep the upstream they were given.
 *
 * - with a unit key: bucket = hash(key) mod 10000, canary when bucket < weight × 100, so a
 *   unit stays on one version and units already on the canary stay there as the weight grows;
 * - without one: canary with probability weight / 100, from the injected random source;
 * - the override header (`canary` | `stable`) wins over both.
 */
export class TrafficSplitter {
  private currentWeight: number;
  private threshold: number;

  constructor(
    weight: number,
    private readonly random: () => number,
    private readonly seed: string,
  ) {
    this.currentWeight = validateWeight(weight);
    this.threshold = thresholdOf(weight);
  }

  get weight(): number {
    return this.currentWeight;
  }

  setWeight(weight: unknown): number {
    const w = validateWeight(weight);
    const previous = this.currentWeight;
    this.currentWeight = w;
    this.threshold = thresholdOf(w);
    return previous;
  }

  decide(unit: string | undefined, override: string | undefined): Decision {
    if (override !== undefined) {
      if (override === 'canary' || override === 'stable') {
        return { arm: override, assignment: 'override' };
      }
      throw new RollgateError(
        'invalid_input',
        `invalid version override ${JSON.stringify(override)}: expected "canary" or "stable"`,
      );
    }
    if (unit !== undefined && unit !== '') {
      return {
        arm: bucketOf(unit, this.seed) < this.threshold ? 'canary' : 'stable',
        assignment: 'unit',
      };
    }
    const threshold = this.threshold;
    const arm =
      threshold <= 0
        ? 'stable'
        : threshold >= BUCKETS
          ? 'canary'
          : this.random() * BUCKETS < threshold
            ? 'canary'
            : 'stable';
    return { arm, assignment: 'random' };
  }
}
