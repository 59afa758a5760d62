import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import { TrafficSplitter } from '../../../src/router/traffic-splitter.js';

const fixed = (x: number) => () => x;

describe('TrafficSplitter', () => {
  it('splits keyless requests by the injected random source', () => {
    const s = new TrafficSplitter(10, fixed(0.0999), '');
    expect(s.decide(undefined, undefined)).toEqual({ arm: 'canary', assignment: 'random' });
    const t = new TrafficSplitter(10, fixed(0.1), '');
    expect(t.decide(undefined, undefined).arm).toBe('stable');
  });

  it('never sends to the canary at 0 and always at 100, whatever the randomness', () => {
    expect(new TrafficSplitter(0, fixed(0), '').decide(undefined, undefined).arm).toBe('stable');
    expect(new TrafficSplitter(100, fixed(0.99999), '').decide(undefined, undefined).arm).toBe(
      'canary',
    );
    expect(new TrafficSplitter(0, fixed(0), '').decide('any-user', undefined).arm).toBe('stable');
    expect(new TrafficSplitter(100, fixed(0), '').decide('any-user', undefined).arm).toBe('canary');
  });

  it('a unit on the canary stays there as the weight grows', () => {
    const s = new TrafficSplitter(5, fixed(0.5), '');
    const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    let onCanary = new Set(users.filter((u) => s.decide(u, undefined).arm === 'canary'));
    for (const w of [10, 25, 50, 75, 100]) {
      s.setWeight(w);
      const now = new Set(users.filter((u) => s.decide(u, undefined).arm === 'canary'));
      for (const u of onCanary) expect(now.has(u)).toBe(true);
      onCanary = now;
    }
    expect(onCanary.size).toBe(users.length);
  });

  it('the override header wins, and an unknown value is an error', () => {
    const s = new TrafficSplitter(0, fixed(0), '');
    expect(s.decide('u', 'canary')).toEqual({ arm: 'canary', assignment: 'override' });
    expect(() => s.decide('u', 'blue')).toThrow(RollgateError);
  });

  it('rejects weights outside 0..100, non-numbers and more than two decimals', () => {
    const s = new TrafficSplitter(20, fixed(0), '');
    for (const bad of [-0.5, 100.01, Number.NaN, '50', null, 12.345]) {
      expect(() => s.setWeight(bad), String(bad)).toThrow(/invalid canary weight/);
    }
    expect(s.weight).toBe(20);
    expect(s.setWeight(12.5)).toBe(20);
    expect(s.weight).toBe(12.5);
  });
});
