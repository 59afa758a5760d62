import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import {
  addDays,
  checkNewRisk,
  reviewAfterRollback,
  reviewDays,
  riskScore,
} from '../../../src/core/risk/risk-types.js';

describe('risk rules', () => {
  it('scores likelihood × impact and sets the first review by score', () => {
    expect(riskScore({ likelihood: 'high', impact: 'high' })).toBe(9);
    expect(riskScore({ likelihood: 'low', impact: 'medium' })).toBe(2);
    expect(reviewDays({ likelihood: 'medium', impact: 'high' })).toBe(7);
    expect(reviewDays({ likelihood: 'low', impact: 'high' })).toBe(30);
    expect(reviewDays({ likelihood: 'low', impact: 'medium' })).toBe(90);
  });

  it('a rollback brings the review forward, never later, across months and years', () => {
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(reviewAfterRollback('2027-03-01', '2026-12-28')).toBe('2027-01-04');
    expect(reviewAfterRollback('2026-12-30', '2026-12-28')).toBe('2026-12-30');
  });

  it('completes a new risk with its defaults and refuses what is wrong, saying where', () => {
    const r = checkNewRisk(
      {
        title: '  TLS bundle dropped  ',
        likelihood: 'high',
        impact: 'high',
        owner: '@sre',
        services: ['payments', 'checkout', 'payments'],
      },
      'risk add',
      '2026-05-01',
    );
    expect(r).toMatchObject({
      title: 'TLS bundle dropped',
      status: 'open',
      services: ['checkout', 'payments'],
      reviewOn: '2026-05-08',
    });
    try {
      checkNewRisk(
        { title: 't', likelihood: 'low', impact: 'low', owner: '@a', services: ['Pay ments'] },
        'risk add',
        '2026-05-01',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RollgateError);
      expect((err as RollgateError).message).toBe(
        'risk add: service "Pay ments" is not a service name (letters, digits, ., _ or -)',
      );
      expect((err as RollgateError).hint).toContain('--service payments');
    }
  });
});
