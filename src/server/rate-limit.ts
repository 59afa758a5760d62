/**
 * A token bucket per caller for mutations (ADR 0152): `burst` requests at once, refilled
 * at `perSecond`. A request over it gets 429 with Retry-After. In memory, per process.
 */
export interface RateLimitOptions {
  burst: number;
  perSecond: number;
}

export const DEFAULT_MUTATION_LIMIT: RateLimitOptions = { burst: 30, perSecond: 5 };
/** Failed token checks per client address (each may cost a scrypt): then 429 for a while. */
export const DEFAULT_AUTH_FAILURE_LIMIT: RateLimitOptions = { burst: 20, perSecond: 1 };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** The seconds `key` must wait before its next request (0: it may go), taking nothing. */
  wait(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = Math.min(
      this.options.burst,
      b.tokens + ((this.now() - b.at) / 1000) * this.options.perSecond,
    );
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.options.perSecond));
  }

  /** Takes one token for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
    b.tokens = Math.min(
      this.options.burst,
      b.tokens + ((now - b.at) / 1000) * this.options.perSecond,
    );
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 10_000) this.prune(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.options.perSecond));
  }

  private prune(now: number): void {
    const full = (this.options.burst / this.options.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at > full) this.buckets.delete(k);
  }
}
