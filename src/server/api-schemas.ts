/**
 * The HTTP API's request and response models (docs/api.md), as zod schemas: the routes
 * validate requests with them and the OpenAPI document is generated from them
 * (`z.toJSONSchema`), so the document cannot drift from what the server accepts.
 */
import { z } from 'zod';
import { RELEASE_TYPES, ROLLOUT_STATES } from '../core/rollout/rollout-types.js';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The commands a person sends through `POST /rollouts/:id/commands` (observe has its own route). */
export const API_COMMANDS = [
  'pause',
  'resume',
  'promote',
  'promote_full',
  'abort',
  'rollback',
  'retry',
] as const;
export type ApiCommand = (typeof API_COMMANDS)[number];

const iso = z.string().describe('ISO 8601 time (UTC)');
const json = z.record(z.string(), z.unknown());

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    hint: z.string().optional(),
    code: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const ReleaseSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    version: z.string(),
    previousVersion: z.string(),
    type: z.enum(RELEASE_TYPES),
    risk: z.enum(['low', 'medium', 'high']),
    notes: z.string().optional(),
    commitAt: iso.optional(),
    createdAt: iso,
    createdBy: z.string(),
  })
  .meta({ id: 'Release' });

export const RolloutSummarySchema = z
  .object({
    id: z.string(),
    releaseId: z.string(),
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    previousVersion: z.string(),
    releaseType: z.enum(RELEASE_TYPES),
    state: z.enum(ROLLOUT_STATES),
    stepIndex: z.number().int(),
    stepCount: z.number().int(),
    stepName: z.string(),
    weight: z.number(),
    pauseReason: z.string().optional(),
    createdAt: iso,
    updatedAt: iso,
    ageSeconds: z.number(),
  })
  .meta({ id: 'RolloutSummary' });

export const RolloutSnapshotSchema = z
  .object({
    id: z.string(),
    releaseId: z.string(),
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    previousVersion: z.string(),
    releaseType: z.enum(RELEASE_TYPES),
    state: z.enum(ROLLOUT_STATES),
    stepIndex: z.number().int(),
    weight: z.number(),
    pauseReason: z.string().optional(),
    plan: json.describe('the resolved plan (ResolvedPlan)'),
    steps: z.array(json),
    epoch: z.number().int(),
    lastSeq: z.number().int(),
    createdAt: iso,
    updatedAt: iso,
  })
  .meta({ id: 'RolloutSnapshot' });

export const TimelineEventSchema = z
  .object({
    rolloutId: z.string(),
    seq: z.number().int().min(1),
    at: iso,
    actor: z.string().describe('`@person` or `rollgate`'),
    type: z.string(),
    message: z.string(),
    data: json,
  })
  .meta({ id: 'TimelineEvent' });

const ArmSchema = z
  .object({
    requests: z.number(),
    errors: z.number(),
    errorRate: z.number(),
    p99Ms: z.number().nullable(),
    exceedances: z.number().nullable(),
  })
  .meta({ id: 'Arm' });

export const ObservationsSchema = z
  .object({
    points: z.array(
      z.object({
        at: iso,
        stepIndex: z.number().int(),
        weight: z.number(),
        canary: ArmSchema,
        baseline: ArmSchema,
      }),
    ),
    gates: z.array(
      z.object({ metric: z.string(), threshold: z.number(), unit: z.string(), label: z.string() }),
    ),
    verdict: z
      .object({ decision: z.string(), reason: z.string(), at: iso, evidence: json })
      .nullable(),
  })
  .meta({ id: 'Observations' });

export const TokenInfoSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: iso,
    createdBy: z.string(),
    lastUsedAt: iso.optional(),
    revokedAt: iso.optional(),
  })
  .meta({ id: 'TokenInfo' });

// ---- requests ----

export const IdParams = z.object({ id: z.string().min(1) });

const limit = z.coerce.number().int().min(1).max(500);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const RolloutListQuery = z.object({
  service: z.string().min(1).optional(),
  state: z.enum(ROLLOUT_STATES).optional(),
  limit: limit.optional(),
});

export const EventsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

export const StreamQuery = z.object({
  access_token: z.string().optional().describe('the bearer token (EventSource sends no headers)'),
  after: z.coerce.number().int().min(0).optional(),
});

export const CommandBody = z.object({
  command: z.enum(API_COMMANDS),
  reason: z.string().max(2000).optional(),
});

export const ObservationBody = z.object({ text: z.string().trim().min(1).max(4000) });

export const ReleaseBody = z.object({
  service: z.string().min(1),
  version: z.string().min(1),
  type: z.enum(RELEASE_TYPES),
  environment: z.string().min(1).optional(),
  previousVersion: z.string().min(1).optional(),
  risk: z.enum(['low', 'medium', 'high']).optional(),
  notes: z.string().max(20_000).optional(),
  commitAt: z.iso.datetime({ offset: true }).optional(),
});

export const ServiceQuery = z.object({ service: z.string().min(1).optional() });
export const RequiredServiceQuery = z.object({ service: z.string().min(1) });

export const OverdueQuery = z.object({
  overdue: flag.optional(),
  service: z.string().min(1).optional(),
});

export const MetricsQuery = z.object({
  service: z.string().min(1).optional(),
  since: z
    .string()
    .regex(/^\d+[hdw]$/, 'a period such as 12h, 30d or 4w')
    .optional(),
  env: z.string().min(1).optional(),
});

export const TokenBody = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (it becomes the @actor)'),
  role: z.enum(ROLES),
});
