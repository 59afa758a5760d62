import { z } from 'zod';
import { RELEASE_TYPES } from '../rollout/rollout-types.js';
import { GateConfig } from './gate-schema.js';
import { NotificationsConfig } from './notification-schema.js';
import { Duration, Name } from './schema-primitives.js';
import { ServiceConfig } from './service-schema.js';
import { StrategyConfig } from './strategy-schema.js';

/**
 * The policy file (`rollgate.yaml`), one layer of the policy. Every section is optional
 * because each file extends the built-in policy (default-policy.ts); the merged result
 * is checked for completeness and cross-references by policy-rules.ts. The JSON Schema
 * published for editors (`rollgate schema`) is generated from this model.
 */

const ReleaseTypeConfig = z.strictObject({
  description: z.string().optional(),
  /** Strategy name (default: the strategy named like the release type). */
  strategy: Name.optional(),
});

const WatchWindow = z
  .strictObject({
    from: Duration,
    to: Duration,
    focus: z.string().optional(),
  })
  .refine((w) => w.to > w.from, { error: '`to` must be later than `from`', path: ['to'] });

const Requirement = z.strictObject({
  description: z.string().min(1),
  /** Release types it applies to (omitted = all). */
  releaseTypes: z.array(z.enum(RELEASE_TYPES)).optional(),
  /** A check that verifies it, run before the rollout starts. */
  check: Name.optional(),
});

export const PolicyFile = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, {
      error: (issue) =>
        issue.input === undefined
          ? 'missing required key `version` (write `version: 1` at the top)'
          : 'expected `version: 1`',
    }),
    services: z
      .record(Name, ServiceConfig)
      .optional()
      .describe('What is released: router, deployer, metrics, checks, SLOs.'),
    releaseTypes: z.partialRecord(z.enum(RELEASE_TYPES), ReleaseTypeConfig).optional(),
    strategies: z
      .record(Name, StrategyConfig)
      .optional()
      .describe(
        'Ordered steps: checks, deploy, traffic, approval, watch. Replaces a built-in strategy of the same name.',
      ),
    gates: z
      .record(Name, GateConfig)
      .optional()
      .describe('Thresholds the judge enforces; built-in gates can be changed one key at a time.'),
    judge: z
      .strictObject({
        /** Bound on false rollbacks. */
        alpha: z.number().gt(0).lt(0.5).optional(),
        /** Bound on wrongly promoting. */
        beta: z.number().gt(0).lt(0.5).optional(),
        /** Without data this long, an inconclusive step pauses. */
        maxNoData: Duration.optional(),
        /** Data older than this counts as missing. */
        staleAfter: Duration.optional(),
      })
      .optional(),
    /** Defaults for every traffic step. */
    traffic: z
      .strictObject({
        minRequests: z.number().int().min(0).optional(),
        onTimeout: z.enum(['promote', 'pause', 'rollback']).optional(),
      })
      .optional(),
    /** Post-release watch windows (seed 002). */
    watch: z.record(Name, WatchWindow).optional(),
    /** Pre-release requirements (seed 002). */
    requirements: z.record(Name, Requirement).optional(),
    notifications: NotificationsConfig.optional(),
  })
  .meta({
    title: 'rollgate policy',
    description:
      'rollgate.yaml: services, strategies per release type, gates, watch windows, requirements and notifications. Every file extends the built-in policy.',
  });

/** One parsed layer: units already converted (seconds, fractions, percent weights). */
export type PolicyFile = z.output<typeof PolicyFile>;

/** The JSON Schema for editors (draft 2020-12), from the same model. */
export function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PolicyFile, {
    io: 'input',
    target: 'draft-2020-12',
    // zod names its string checks as formats ("starts_with", "includes") next to the
    // `pattern` that carries them; they are not JSON Schema formats, and validators warn.
    override: (ctx) => {
      const format = ctx.jsonSchema.format;
      if (format !== undefined && ZOD_ONLY_FORMATS.has(format)) delete ctx.jsonSchema.format;
    },
  }) as Record<string, unknown>;
}

const ZOD_ONLY_FORMATS = new Set(['starts_with', 'ends_with', 'includes']);

/** The JSON Schema as committed in `schema/rollgate.schema.json` and printed by `rollgate schema`. */
export function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
