import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RollgateError } from '../../src/core/errors/rollgate-error.js';
import type { Router, RouteTarget } from '../../src/ports/router.js';

export type Version = 'stable' | 'canary';

/** An implementation of the Router port wired to its real backend and two real upstreams. */
export interface RouterHarness {
  router: Router;
  target: RouteTarget;
  /** Send one request through the backend; resolves with the version that answered. */
  send(options?: { unit?: string; override?: Version }): Promise<Version>;
  /** Time the backend needs after setWeight resolves before new requests see it (0 if atomic). */
  settleMs?: number;
  close(): Promise<void>;
}

export const ROUTER_CASES = [
  'round-trip',
  'weight-0',
  'weight-100',
  'split',
  'stickiness',
  'sticky-growth',
  'override',
  'invalid-weight',
] as const;
export type RouterCase = (typeof ROUTER_CASES)[number];

export interface RouterContractOptions {
  /** Cases an implementation cannot support, each with the reason (printed in the test name). */
  skip?: Partial<Record<RouterCase, string>>;
}

/** |x − np| ≤ 4.5 σ: a correct router fails this about once in 150 000 runs. */
function withinBinomial(x: number, n: number, p: number): boolean {
  return Math.abs(x - n * p) <= 4.5 * Math.sqrt(n * p * (1 - p));
}

async function sendMany(
  h: RouterHarness,
  n: number,
  make: (i: number) => { unit?: string; override?: Version },
): Promise<Version[]> {
  const out: Version[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => h.send(make(i + j)));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/**
 * The Router contract: every Router implementation (built-in, HAProxy, nginx, Gateway API,
 * command) runs these cases against its real backend.
 */
export function routerContract(
  name: string,
  factory: () => Promise<RouterHarness>,
  options: RouterContractOptions = {},
): void {
  describe(`Router contract: ${name}`, () => {
    let h: RouterHarness;
    const setWeight = async (w: number) => {
      await h.router.setWeight(h.target, w);
      if (h.settleMs) await new Promise((r) => setTimeout(r, h.settleMs));
    };
    const test = (c: RouterCase, title: string, fn: () => Promise<void>) => {
      const reason = options.skip?.[c];
      if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, fn);
      else it(title, fn);
    };

    beforeEach(async () => {
      h = await factory();
    });
    afterEach(async () => {
      await h?.close();
    });

    test('round-trip', 'reads back every weight it sets, 0..100', async () => {
      for (const w of [0, 1, 5, 10, 25, 50, 75, 99, 100, 0]) {
        await h.router.setWeight(h.target, w);
        expect(await h.router.getWeight(h.target)).toBe(w);
      }
    });

    test('weight-0', 'at weight 0 sends no new request to the canary', async () => {
      await setWeight(0);
      const got = await sendMany(h, 300, (i) => (i % 2 === 0 ? { unit: `u-${i}` } : {}));
      expect(got.filter((v) => v === 'canary')).toHaveLength(0);
    });

    test('weight-100', 'at weight 100 sends every new request to the canary', async () => {
      await setWeight(100);
      const got = await sendMany(h, 300, (i) => (i % 2 === 0 ? { unit: `u-${i}` } : {}));
      expect(got.filter((v) => v === 'stable')).toHaveLength(0);
    });

    test(
      'split',
      'splits close to the weight (binomial tolerance), with and without unit keys',
      async () => {
        await setWeight(20);
        const keyless = await sendMany(h, 1000, () => ({}));
        const keyed = await sendMany(h, 1000, (i) => ({ unit: `split-user-${i}` }));
        const kc = keyless.filter((v) => v === 'canary').length;
        const uc = keyed.filter((v) => v === 'canary').length;
        expect(withinBinomial(kc, 1000, 0.2), `keyless canary share ${kc}/1000`).toBe(true);
        expect(withinBinomial(uc, 1000, 0.2), `keyed canary share ${uc}/1000`).toBe(true);
      },
    );

    test('stickiness', 'keeps each unit on one version', async () => {
      await setWeight(30);
      const units = Array.from({ length: 100 }, (_, i) => `sticky-${i}`);
      const first = await sendMany(h, units.length, (i) => ({ unit: units[i] as string }));
      const second = await sendMany(h, units.length, (i) => ({ unit: units[i] as string }));
      expect(second).toEqual(first);
      expect(first).toContain('canary');
      expect(first).toContain('stable');
    });

    test(
      'sticky-growth',
      'keeps units already on the canary there as the weight grows',
      async () => {
        const units = Array.from({ length: 200 }, (_, i) => `grow-${i}`);
        await setWeight(10);
        const at10 = await sendMany(h, units.length, (i) => ({ unit: units[i] as string }));
        await setWeight(50);
        const at50 = await sendMany(h, units.length, (i) => ({ unit: units[i] as string }));
        const moved = at10.filter((v, i) => v === 'canary' && at50[i] !== 'canary');
        expect(moved).toHaveLength(0);
        expect(at50.filter((v) => v === 'canary').length).toBeGreaterThan(
          at10.filter((v) => v === 'canary').length,
        );
      },
    );

    test('override', 'honours the override header over the weight', async () => {
      await setWeight(0);
      const canary = await sendMany(h, 20, (i) => ({ override: 'canary', unit: `o-${i}` }));
      expect(new Set(canary)).toEqual(new Set(['canary']));
      await setWeight(100);
      const stable = await sendMany(h, 20, (i) => ({ override: 'stable', unit: `o-${i}` }));
      expect(new Set(stable)).toEqual(new Set(['stable']));
      const header = h.router.overrideHeader?.();
      if (header !== undefined) expect(header.value).toBe('canary');
    });

    test(
      'invalid-weight',
      'rejects invalid weights with a clear error and keeps the old one',
      async () => {
        await h.router.setWeight(h.target, 40);
        for (const bad of [-1, 100.5, 101, Number.NaN, Number.POSITIVE_INFINITY]) {
          const err = await h.router.setWeight(h.target, bad).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(err, `weight ${bad}`).toBeInstanceOf(RollgateError);
          expect((err as RollgateError).code).toBe('invalid_input');
          expect((err as RollgateError).message).toMatch(/0 to 100/);
        }
        expect(await h.router.getWeight(h.target)).toBe(40);
      },
    );
  });
}
