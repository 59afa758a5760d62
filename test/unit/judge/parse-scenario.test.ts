import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import { parseScenario } from '../../../src/core/scenario/parse-scenario.js';

const header = JSON.stringify({ name: 's', batch: '10s', truth: { errorRatio: 2 } });
const arm = (requests: number, errors: number, extra: object = {}) => ({
  requests,
  errors,
  ...extra,
});

function parseError(text: string): RollgateError {
  try {
    parseScenario(text, 'f.jsonl');
  } catch (err) {
    return err as RollgateError;
  }
  throw new Error('expected a parse error');
}

describe('parseScenario', () => {
  it('reads the header, batches, gaps and late batches', () => {
    const s = parseScenario(
      [
        header,
        JSON.stringify({
          t: 10,
          weight: 5,
          baseline: arm(95, 1),
          canary: arm(5, 0, {
            units: 3,
            unitErrors: 0,
            latency: { '0.1': 4, '+Inf': 5 },
            endpoints: { '/pay': { requests: 2, errors: 0 } },
            gauges: { memory: 0.7 },
          }),
        }),
        '',
        JSON.stringify({ t: 20, missing: true }),
        JSON.stringify({ t: 30, age: 45, weight: 5, baseline: arm(95, 1), canary: arm(5, 0) }),
      ].join('\n'),
    );
    expect(s.header).toMatchObject({ name: 's', batchSeconds: 10, truth: { errorRatio: 2 } });
    expect(s.steps).toHaveLength(3);
    expect(s.steps[0]!.batch!.canary.gauges).toEqual({ memory: 0.7 });
    expect(s.steps[1]).toEqual({ now: 20 });
    expect(s.steps[2]!.now).toBe(75);
  });

  it.each([
    ['not json', 'f.jsonl:2: is not valid JSON'],
    [JSON.stringify({ weight: 5 }), 'f.jsonl:2: field "t" must be a number'],
    [
      JSON.stringify({ t: 1, weight: 120, baseline: arm(1, 0), canary: arm(1, 0) }),
      'field "weight" must be the canary share',
    ],
    [
      JSON.stringify({ t: 1, weight: 5, baseline: arm(1.5, 0), canary: arm(1, 0) }),
      'field "baseline.requests" must be a whole number',
    ],
    [
      JSON.stringify({
        t: 1,
        weight: 5,
        baseline: arm(10, 0),
        canary: arm(1, 0, { latency: { '0.1': 1 } }),
      }),
      'field "canary.latency" has no "+Inf" bucket',
    ],
    [
      JSON.stringify({
        t: 1,
        weight: 5,
        baseline: arm(10, 0),
        canary: arm(3, 0, { latency: { '0.1': 3, '0.2': 2, '+Inf': 3 } }),
      }),
      'is not cumulative at bucket "0.2"',
    ],
    [
      JSON.stringify({
        t: 1,
        weight: 5,
        baseline: arm(10, 0),
        canary: arm(3, 0, { unitErrors: 1 }),
      }),
      'field "canary.unitErrors" needs "canary.units"',
    ],
  ])('rejects %s with the line and field', (line, message) => {
    const err = parseError(`${header}\n${line}`);
    expect(err).toBeInstanceOf(RollgateError);
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain(message);
    expect(err.hint).toBeTruthy();
  });

  it('rejects time going backwards and a bad header', () => {
    const b = (t: number) =>
      JSON.stringify({ t, weight: 5, baseline: arm(1, 0), canary: arm(1, 0) });
    expect(parseError(`${header}\n${b(5)}\n${b(5)}`).message).toContain(
      'f.jsonl:3: field "t" (5) must be greater',
    );
    expect(parseError(JSON.stringify({ name: 'x', batch: 'soon' })).message).toContain(
      'header field "batch" ("soon") is not a duration',
    );
    expect(parseError('').message).toContain('is empty');
  });
});
