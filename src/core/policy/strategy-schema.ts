import { z } from 'zod';
import { Duration, Name, Weight } from './schema-primitives.js';

/**
 * A strategy is an ordered list of steps (DESIGN.md "Concepts"). Its ordering rules are
 * in strategy-rules.ts, run on the raw file so they are reported with every other error.
 */

const ON_TIMEOUT = ['promote', 'pause', 'rollback'] as const;

const ChecksStep = z.strictObject({
  type: z.literal('checks'),
  name: z.string().optional(),
  /** `preflight`, `smoke`, `verification`, or a phase of your own. */
  phase: Name.describe('preflight, smoke, verification, or a phase of your own.'),
  /** Check names; omitted = every check of the service tagged with this phase. */
  checks: z
    .array(Name)
    .optional()
    .describe('Check names; omitted = the service checks tagged with this phase.'),
});

const DeployStep = z.strictObject({
  type: z.literal('deploy'),
  name: z.string().optional(),
  target: z.enum(['canary', 'stable']),
});

const TrafficStep = z.strictObject({
  type: z.literal('traffic'),
  name: z.string().optional(),
  weight: Weight.describe('Canary weight to set: `25%` or 25.'),
  /** Minimum time at this weight before the judge may promote. */
  hold: Duration.optional().describe(
    'Minimum time at this weight before the judge may promote (default 0s).',
  ),
  /** Maximum time at this weight; then `onTimeout`. Defaults to `hold`. */
  maxHold: Duration.optional().describe(
    'Maximum time at this weight, then onTimeout (default: hold).',
  ),
  minRequests: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'Minimum canary requests before the judge may promote (default traffic.minRequests).',
    ),
  onTimeout: z
    .enum(ON_TIMEOUT)
    .optional()
    .describe('What happens at maxHold without a promotion (default traffic.onTimeout).'),
  /** false = hold only, the judge does not analyse this step. */
  analysis: z.boolean().optional(),
});

const ApprovalStep = z.strictObject({
  type: z.literal('approval'),
  name: z.string().optional(),
  approvers: z.array(z.string().regex(/^@/, { error: 'expected `@person` or `@team`' })).optional(),
  timeout: Duration.optional(),
});

const WatchStep = z.strictObject({
  type: z.literal('watch'),
  name: z.string().optional(),
  /** Watch windows by name, in order; omitted = every window of `watch`. */
  windows: z
    .array(Name)
    .min(1)
    .optional()
    .describe('Watch windows by name; omitted = all, in time order.'),
});

export const StepConfig = z.discriminatedUnion('type', [
  ChecksStep,
  DeployStep,
  TrafficStep,
  ApprovalStep,
  WatchStep,
]);
export type StepConfig = z.output<typeof StepConfig>;

export const StrategyConfig = z
  .array(StepConfig)
  .min(1, { error: 'a strategy needs at least one step' });
