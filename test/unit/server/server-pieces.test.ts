import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/server/create-server.js';
import { RateLimiter } from '../../../src/server/rate-limit.js';
import {
  hashSecret,
  newTokenParts,
  parseToken,
  verifySecret,
} from '../../../src/server/token-secrets.js';

describe('RateLimiter (token bucket per caller)', () => {
  it('allows the burst, then asks to wait, and refills at the rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0); // another caller has its own bucket
    now += 500; // one token back
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThanOrEqual(1);
    expect(limiter.wait('a')).toBeGreaterThanOrEqual(1); // wait() takes nothing
    expect(limiter.wait('nobody')).toBe(0);
    now += 60_000; // never more than the burst
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([0, 0, 0, 1]);
  });
});

describe('API tokens', () => {
  it('are rg_<12 hex>_<64 hex>; anything else does not parse', () => {
    const { id, secret, token } = newTokenParts();
    expect(parseToken(token)).toEqual({ id, secret });
    expect(parseToken(`rg_${id}_${secret.slice(1)}`)).toBeUndefined();
    expect(parseToken(`xx_${id}_${secret}`)).toBeUndefined();
    expect(parseToken('')).toBeUndefined();
  });

  it('hash with scrypt and a fresh salt; only the right secret verifies', async () => {
    const { secret } = newTokenParts();
    const a = await hashSecret(secret);
    const b = await hashSecret(secret);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await verifySecret(secret, a)).toBe(true);
    expect(await verifySecret(newTokenParts().secret, a)).toBe(false);
    expect(await verifySecret(secret, 'sha256$abc')).toBe(false);
  });
});

describe('isLoopback', () => {
  it('knows loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      expect(isLoopback(h), h).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com']) {
      expect(isLoopback(h), h).toBe(false);
    }
  });
});
