import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parsePercent } from '../../../src/core/policy/units.js';

describe('units as people write them', () => {
  it.each([
    ['15m', 900],
    ['90s', 90],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['72h', 259200],
    ['1d', 86400],
  ])('duration %s = %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['15', '15 m', 'm', '-5m', '1.5x', ''])('rejects %j as a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    ['0.1%', 0.001],
    ['25%', 0.25],
    ['85 %', 0.85],
    ['100%', 1],
  ])('percentage %s = %d', (text, fraction) => {
    expect(parsePercent(text)).toBe(fraction);
  });

  it.each(['0.1', '%', '1/2%'])('rejects %j as a percentage', (text) => {
    expect(parsePercent(text)).toBeUndefined();
  });

  it('formats durations back the way the seeds write them', () => {
    expect([0, 0.25, 90, 900, 5400, 259200].map(formatDuration)).toEqual([
      '0s',
      '250ms',
      '1m30s',
      '15m',
      '1h30m',
      '72h',
    ]);
  });
});
