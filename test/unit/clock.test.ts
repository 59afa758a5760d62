import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/adapters/clock/scaled-clock.js';
import { SystemClock } from '../../src/adapters/clock/system-clock.js';
import { ManualClock } from '../fakes/manual-clock.js';

describe('SystemClock', () => {
  it('sleeps and can be aborted', async () => {
    const clock = new SystemClock();
    const t0 = clock.now();
    await clock.sleep(20);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(15);
    const ac = new AbortController();
    const p = clock.sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('ScaledClock', () => {
  it('runs `speed` times faster than the wall clock', () => {
    let wall = 1_000_000;
    const clock = new ScaledClock(60, () => wall);
    wall += 1000;
    expect(clock.now()).toBe(1_000_000 + 60_000);
  });

  it('sleeps for ms / speed of real time', async () => {
    const clock = new ScaledClock(1000);
    const t0 = Date.now();
    await clock.sleep(10_000); // 10 s of rollout time = 10 ms real
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('refuses a speed that is not positive', () => {
    expect(() => new ScaledClock(0)).toThrow(/positive/);
  });
});

describe('ManualClock', () => {
  it('resolves sleeps in deadline order as time is advanced', async () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    void clock.sleep(300).then(() => order.push('300'));
    void clock.sleep(100).then(() => order.push('100'));
    clock.advance(50);
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(clock.nextTimerAt()).toBe(100);
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['100', '300']);
    expect(clock.now()).toBe(1050);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects an aborted sleep and forgets it', async () => {
    const clock = new ManualClock(0);
    const ac = new AbortController();
    const p = clock.sleep(100, ac.signal);
    ac.abort(new Error('kicked'));
    await expect(p).rejects.toThrow('kicked');
    expect(clock.pendingTimers()).toBe(0);
  });
});
