/** Number of stickiness buckets: a weight of w percent sends buckets [0, w × 100) to the canary. */
export const BUCKETS = 10_000;

/**
 * A stable hash of a unit key (and an optional seed) to a bucket in 0..9999.
 *
 * FNV-1a over the UTF-16 code units, then the murmur3 finaliser to spread the bits, so
 * similar keys ("user-1", "user-2") land far apart. The same key and seed always give the
 * same bucket, in every process and every version of rollgate: a user keeps their version,
 * and a user already on the canary stays there as the weight grows.
 */
export function bucketOf(key: string, seed = ''): number {
  let h = 0x811c9dc5;
  const input = seed === '' ? key : `${seed}:${key}`;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}

/** The canary threshold for a weight in percent: buckets below it go to the canary. */
export function thresholdOf(weight: number): number {
  return Math.round(weight * 100);
}
