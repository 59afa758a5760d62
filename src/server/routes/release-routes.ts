import { z } from 'zod';
import { startRelease } from '../../app/start-release.js';
import type { Release } from '../../core/rollout/rollout-types.js';
import { type ApiRoute, defineRoute, type ServerDeps } from '../api-route.js';
import { ReleaseBody, ReleaseSchema, RolloutSummarySchema, ServiceQuery } from '../api-schemas.js';
import { toSummary } from '../rollout-summary.js';

/** Releases: start one (its rollout), list them. */
export function releaseRoutes(deps: ServerDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/releases',
      role: 'operator',
      tag: 'releases',
      summary: 'Record a release and start its rollout',
      body: ReleaseBody,
      errors: [409, 429],
      success: {
        status: 201,
        description: 'the release and its rollout',
        schema: z.object({ release: ReleaseSchema, rollout: RolloutSummarySchema }),
      },
      async handler({ body, principal }) {
        const { release, rollout } = await startRelease(deps.app, {
          ...body,
          actor: principal.actor,
        });
        return { release, rollout: toSummary(rollout, deps.now()) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/releases',
      role: 'viewer',
      tag: 'releases',
      summary: 'Releases that have a rollout, newest first',
      query: ServiceQuery,
      success: {
        status: 200,
        description: 'the releases',
        schema: z.object({ releases: z.array(ReleaseSchema) }),
      },
      async handler({ query }) {
        const rollouts = await deps.store.listRollouts({
          ...(query.service === undefined ? {} : { service: query.service }),
          limit: 200,
        });
        const seen = new Set<string>();
        const releases: Release[] = [];
        for (const r of rollouts) {
          if (seen.has(r.releaseId)) continue;
          seen.add(r.releaseId);
          const release = await deps.store.getRelease(r.releaseId);
          if (release) releases.push(release);
        }
        return { releases };
      },
    }),
  ];
}
