import type { DemoFaults } from './demo-options.js';

export const DEMO_SCENARIOS = [
  'error-spike',
  'latency',
  'memory-leak',
  'crash',
  'healthy',
] as const;
export type DemoScenarioName = (typeof DEMO_SCENARIOS)[number];

/** How a demo rollout is expected to end. */
export type DemoExpectation = 'completed' | 'rolled_back';

export interface DemoScenario {
  name: DemoScenarioName;
  /** One line: what is wrong with the new version. */
  story: string;
  expect: DemoExpectation;
  /**
   * The new version's faults at a given clock speed. Per-request faults (errors, latency)
   * do not depend on it; faults that unfold over time (a leak, a crash) are written in
   * demo time and run `speed` times faster, like the rollout's holds (ADR 0090).
   */
  faults(speed: number): Partial<DemoFaults>;
}

/** Memory budget of the demo service (its default) and the leak's demo-time story. */
const MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
/** The leak takes the canary from its 35 % base past the 85 % gate in this much demo time. */
const LEAK_DEMO_SECONDS = 8 * 60;

export const SCENARIOS: Record<DemoScenarioName, DemoScenario> = {
  'error-spike': {
    name: 'error-spike',
    story:
      'v2.1.0 lost its payment-gateway TLS certificate: 3 % of POST /v1/payment/process answer 503 (seed 000)',
    expect: 'rolled_back',
    faults: () => ({ errorRate: { endpoint: '/v1/payment/process', rate: 0.03, status: 503 } }),
  },
  latency: {
    name: 'latency',
    story: 'v2.1.0 adds a slow query: every request takes 60 ms more (latency > 2x baseline)',
    expect: 'rolled_back',
    faults: () => ({ latencyShiftMs: 60 }),
  },
  'memory-leak': {
    name: 'memory-leak',
    story: `v2.1.0 leaks memory: from 35 % to 85 % of its budget in ${LEAK_DEMO_SECONDS / 60} min`,
    expect: 'rolled_back',
    faults: (speed) => ({
      memoryGrowth: {
        bytesPerSecond: Math.round((0.5 * MEMORY_LIMIT_BYTES * speed) / LEAK_DEMO_SECONDS),
      },
    }),
  },
  crash: {
    name: 'crash',
    story: 'v2.1.0 crashes after serving 60 requests (an unhandled exception)',
    expect: 'rolled_back',
    faults: () => ({ crash: { afterRequests: 60 } }),
  },
  healthy: {
    name: 'healthy',
    story: 'v2.1.0 is a good release: same errors and latency as v2.0.0',
    expect: 'completed',
    faults: () => ({}),
  },
};

/** The faults object for the demo stack: the scenario's, and nothing else (no default fault). */
export function scenarioFaults(scenario: DemoScenario, speed: number): Partial<DemoFaults> {
  // startDemoStack adds seed 000's error fault unless `errorRate` is given; undefined turns it off.
  return { errorRate: undefined, ...scenario.faults(speed) };
}
