import { z } from 'zod';
import { type ApiRoute, defineRoute, type ServerDeps } from '../api-route.js';
import { ROLES } from '../api-schemas.js';

/** Health, the OpenAPI document, and who the caller is. */
export function metaRoutes(deps: ServerDeps, openapi: () => unknown): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/health',
      role: 'none',
      tag: 'meta',
      summary: 'Liveness: the server answers and its store is reachable',
      errors: [503],
      success: {
        status: 200,
        description: 'healthy',
        schema: z.object({ ok: z.literal(true), version: z.string() }),
      },
      async handler() {
        await deps.store.listRollouts({ limit: 1 });
        return { ok: true, version: deps.version };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      role: 'none',
      tag: 'meta',
      summary: 'This API as an OpenAPI 3.1 document',
      success: {
        status: 200,
        description: 'the OpenAPI document',
        schema: z.record(z.string(), z.unknown()),
      },
      async handler() {
        return openapi();
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/whoami',
      role: 'viewer',
      tag: 'meta',
      summary: 'The caller: actor and role',
      success: {
        status: 200,
        description: 'the caller',
        schema: z.object({ actor: z.string(), role: z.enum(ROLES) }),
      },
      async handler({ principal }) {
        return { actor: principal.actor, role: principal.role };
      },
    }),
  ];
}
