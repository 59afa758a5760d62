import { z } from 'zod';

const listenSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port; read the bound one from the running router. */
  port: z.number().int().min(0).max(65_535).default(0),
});

const upstreamUrl = z.url({ protocol: /^https?$/ });

/**
 * Configuration of the built-in router. Defaults are what one machine running the demo
 * needs; every value can be set from `rollgate.yaml` (DESIGN.md "Config").
 */
export const RouterConfigSchema = z
  .object({
    /** Where clients send traffic. */
    listen: listenSchema.prefault({}),
    /** Admin API and `/metrics`, on a separate port so it is never exposed with the traffic. */
    admin: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(0),
        /** When set, admin requests need `Authorization: Bearer <token>` (not `/metrics`). */
        token: z.string().min(1).optional(),
      })
      .prefault({}),
    /** Upstream pools: base URLs of the stable and canary instances (round-robin inside a pool). */
    upstreams: z.object({
      stable: z.array(upstreamUrl).min(1),
      canary: z.array(upstreamUrl).min(1),
    }),
    /** Initial canary weight in percent. */
    weight: z.number().min(0).max(100).default(0),
    /** Where the stickiness key (the randomisation unit) comes from. */
    unit: z
      .object({
        header: z.string().min(1).toLowerCase().default('x-rollgate-unit'),
        /** A cookie to read the key from when the header is absent. */
        cookie: z.string().min(1).optional(),
        /** Mixed into the hash, so two rollouts can put different users on their canaries. */
        seed: z.string().default(''),
      })
      .prefault({}),
    /** Request header forcing a version: `canary` or `stable` (smoke tests, blue-green checks). */
    overrideHeader: z.string().min(1).toLowerCase().default('x-rollgate-version'),
    timeouts: z
      .object({
        connectMs: z.number().int().positive().default(2_000),
        /** Until the upstream's response headers arrive; then 504. */
        headersMs: z.number().int().positive().default(30_000),
        /** Maximum silence while the response body streams. */
        bodyMs: z.number().int().positive().default(30_000),
      })
      .prefault({}),
    /**
     * Processes proxying traffic. 1 (default): one process does everything. More: node:cluster
     * workers share the listening port; the primary serves the admin API, broadcasts weight
     * changes and merges the workers' measurements (ADR 0051).
     */
    workers: z.number().int().min(1).max(64).default(1),
    /** On shutdown: how long in-flight requests may take before their connections are cut. */
    drainMs: z.number().int().min(0).default(10_000),
    /** Kept-alive connections per upstream instance. */
    connectionsPerUpstream: z.number().int().positive().default(128),
    /** Seconds of per-second measurements kept for window reads. */
    retentionSeconds: z.number().int().min(10).max(86_400).default(900),
    /** Window of the distinct-units gauge in `/metrics`. */
    unitsWindowSeconds: z.number().int().positive().default(60),
    /**
     * Route labels: exact paths, or prefixes ending in `*` ("/v1/jobs/*"). Unset: the request
     * path, up to `maxRoutes` distinct paths, then "other".
     */
    routes: z.array(z.string().startsWith('/')).optional(),
    maxRoutes: z.number().int().positive().default(64),
    /** Gauges an upstream may report in `x-rollgate-gauge-<name>` response headers. */
    gauges: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/)).default(['memory']),
  })
  .strict();

export type RouterConfigInput = z.input<typeof RouterConfigSchema>;
export type RouterConfig = z.output<typeof RouterConfigSchema>;
