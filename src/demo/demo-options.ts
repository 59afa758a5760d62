import { z } from 'zod';

/** The demo service's endpoints: the ones the seeds talk about. */
export const DEMO_ENDPOINTS = [
  '/v1/health',
  '/v1/contacts',
  '/v1/jobs',
  '/v1/payment/process',
] as const;
export type DemoEndpoint = (typeof DEMO_ENDPOINTS)[number];

const endpoint = z.enum(DEMO_ENDPOINTS);

/** Median latency per endpoint in ms when the options do not say (seed 004's, scaled down). */
export const DEFAULT_LATENCY_MS: Record<DemoEndpoint, number> = {
  '/v1/health': 2,
  '/v1/contacts': 15,
  '/v1/jobs': 20,
  '/v1/payment/process': 30,
};

/**
 * Faults to inject in a version, each off unless set. A scenario file sets them; the
 * default scenario (seed 000's story) is 3 % errors on `/v1/payment/process`.
 */
export const DemoFaultsSchema = z
  .object({
    /** A fraction of requests to one endpoint fail with `status`. */
    errorRate: z
      .object({
        endpoint: endpoint.default('/v1/payment/process'),
        rate: z.number().min(0).max(1).default(0.03),
        status: z.number().int().min(500).max(599).default(503),
      })
      .optional(),
    /** Added to every response's latency (a slower version). */
    latencyShiftMs: z.number().min(0).default(0),
    /** A fraction of requests take `ms` more (a fatter tail: p99 moves, p50 does not). */
    tailLatency: z
      .object({
        probability: z.number().min(0).max(1).default(0.02),
        ms: z.number().min(0).default(800),
      })
      .optional(),
    /** The process keeps memory it should free; the memory gauge climbs. */
    memoryGrowth: z
      .object({
        bytesPerSecond: z
          .number()
          .min(0)
          .default(2 * 1024 * 1024),
      })
      .optional(),
    /** The version dies: after so many ms of uptime or so many requests. */
    crash: z
      .object({
        afterMs: z.number().int().min(0).optional(),
        afterRequests: z.number().int().min(1).optional(),
      })
      .refine((c) => c.afterMs !== undefined || c.afterRequests !== undefined, {
        message: 'crash needs afterMs or afterRequests',
      })
      .optional(),
  })
  .strict();

export const DemoServiceOptionsSchema = z
  .object({
    /** Reported in the `x-demo-version` header and the health body. */
    version: z.string().min(1),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(0),
    /**
     * Median latency per endpoint in ms (missing ones: DEFAULT_LATENCY_MS, seed 004's p95s
     * scaled down so the demo is quick); each response takes it ± `jitter`. Zeros make a
     * service as fast as node:http allows.
     */
    latencyMs: z.partialRecord(endpoint, z.number().min(0)).default({}),
    jitter: z.number().min(0).max(1).default(0.3),
    faults: DemoFaultsSchema.prefault({}),
    /** Memory budget the gauge is a fraction of. */
    memoryLimitBytes: z
      .number()
      .int()
      .positive()
      .default(512 * 1024 * 1024),
    /** Footprint before any leak, as a fraction of the budget. */
    memoryBaseFraction: z.number().min(0).max(1).default(0.35),
    /** Seed for the fault and jitter draws. */
    seed: z.number().int().default(1),
    /** Honour `x-demo-status` / `x-demo-delay-ms` request headers (contract tests only). */
    testHooks: z.boolean().default(false),
  })
  .strict();

export type DemoServiceOptionsInput = z.input<typeof DemoServiceOptionsSchema>;
export type DemoServiceOptions = z.output<typeof DemoServiceOptionsSchema>;
export type DemoFaults = z.output<typeof DemoFaultsSchema>;
