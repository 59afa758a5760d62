import { z } from 'zod';
import { GATE_ACTIONS, GATE_METRICS } from '../plan/plan-types.js';
import { Duration, Name, ThresholdValue } from './schema-primitives.js';

/**
 * A gate in the policy file. Every field is optional here because a file may override
 * one figure of a built-in gate (`gates.error-rate-no-go.for: 10m`); completeness and
 * units are checked on the merged policy (policy-rules.ts).
 */
export const GateConfig = z.strictObject({
  description: z.string().optional(),
  metric: z.enum(GATE_METRICS).optional().describe('What is compared between canary and baseline.'),
  /** For `metric: gauge`: which gauge (e.g. `memory`). */
  gauge: Name.optional(),
  /** For `metric: endpoint_errors`: routes (omitted = the service's critical endpoints). */
  endpoints: z.array(z.string().startsWith('/')).optional(),
  comparison: z
    .enum(['relative', 'delta', 'absolute'])
    .optional()
    .describe(
      'relative: canary > baseline × (1 + threshold); delta: canary − baseline > threshold; absolute: canary > threshold.',
    ),
  threshold: ThresholdValue.optional().describe(
    'A percentage for rates and gauges (and relative latency), a duration for latency, or 0.',
  ),
  /** How long the condition must hold before the action (0s = at once). */
  for: Duration.optional().describe(
    'How long the condition must hold before the action (default 0s).',
  ),
  action: z
    .enum(GATE_ACTIONS)
    .optional()
    .describe(
      'pause: stop and call a person; no_go: roll back once conclusive; rollback: at once.',
    ),
  /** false turns a gate off (built-in gates included). */
  enabled: z.boolean().optional(),
  /** true: skip the gate (with a note) where the metric source cannot provide its metric. */
  optional: z.boolean().optional(),
});
export type GateConfig = z.output<typeof GateConfig>;
