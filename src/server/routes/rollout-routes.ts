import { z } from 'zod';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import type { Release, RolloutSnapshot } from '../../core/rollout/rollout-types.js';
import { releaseReportDocument } from '../../records-io/record-documents.js';
import { type ApiRoute, defineRoute, type ServerDeps } from '../api-route.js';
import {
  CommandBody,
  EventsQuery,
  IdParams,
  ObservationBody,
  ObservationsSchema,
  ReleaseSchema,
  RolloutListQuery,
  RolloutSnapshotSchema,
  RolloutSummarySchema,
  TimelineEventSchema,
} from '../api-schemas.js';
import { observationsOf } from '../observations.js';
import { toSummary } from '../rollout-summary.js';

export async function rolloutOrThrow(deps: ServerDeps, id: string): Promise<RolloutSnapshot> {
  const s = await deps.store.getRollout(id);
  if (!s) {
    throw new RollgateError('not_found', `no rollout ${id}`, {
      hint: 'GET /api/v1/rollouts lists them',
      details: { rolloutId: id },
    });
  }
  return s;
}

/** Rollouts: list, one, its timeline, its measurements, commands and observations. */
export function rolloutRoutes(deps: ServerDeps): ApiRoute[] {
  const summary = (s: RolloutSnapshot) => toSummary(s, deps.now());
  return [
    defineRoute({
      method: 'GET',
      path: '/rollouts',
      role: 'viewer',
      tag: 'rollouts',
      summary: 'Rollouts, newest first',
      query: RolloutListQuery,
      success: {
        status: 200,
        description: 'the rollouts',
        schema: z.object({ rollouts: z.array(RolloutSummarySchema) }),
      },
      async handler({ query }) {
        const rollouts = await deps.store.listRollouts({
          ...(query.service === undefined ? {} : { service: query.service }),
          ...(query.state === undefined ? {} : { states: [query.state] }),
          limit: query.limit ?? 100,
        });
        return { rollouts: rollouts.map(summary) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/rollouts/:id',
      role: 'viewer',
      tag: 'rollouts',
      summary: 'One rollout: its snapshot, release and summary',
      params: IdParams,
      errors: [404],
      success: {
        status: 200,
        description: 'the rollout',
        schema: z.object({
          rollout: RolloutSnapshotSchema,
          release: ReleaseSchema,
          summary: RolloutSummarySchema,
        }),
      },
      async handler({ params }) {
        const rollout = await rolloutOrThrow(deps, params.id);
        // The release row, else the copy its rollout.created event carries.
        const release =
          (await deps.store.getRelease(rollout.releaseId)) ??
          ((await deps.store.listEvents(rollout.id, 0))[0]?.data.release as Release | undefined);
        if (!release) {
          throw new RollgateError('internal', `rollout ${rollout.id} has no release in the store`);
        }
        return { rollout, release, summary: summary(rollout) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/rollouts/:id/events',
      role: 'viewer',
      tag: 'rollouts',
      summary: "A rollout's timeline events after seq `after`",
      params: IdParams,
      query: EventsQuery,
      errors: [404],
      success: {
        status: 200,
        description: 'the events, in seq order',
        schema: z.object({ events: z.array(TimelineEventSchema) }),
      },
      async handler({ params, query }) {
        await rolloutOrThrow(deps, params.id);
        return { events: await deps.store.listEvents(params.id, query.after ?? 0) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/rollouts/:id/observations',
      role: 'viewer',
      tag: 'rollouts',
      summary: "A rollout's measurements per batch, its gates and its last verdict",
      params: IdParams,
      errors: [404],
      success: { status: 200, description: 'the observations', schema: ObservationsSchema },
      async handler({ params }) {
        const rollout = await rolloutOrThrow(deps, params.id);
        return observationsOf(rollout, await deps.store.listEvents(rollout.id));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/rollouts/:id/commands',
      role: 'operator',
      tag: 'rollouts',
      summary: 'Send a command (pause, resume, promote, abort, rollback, retry)',
      params: IdParams,
      body: CommandBody,
      errors: [404, 409, 429],
      success: {
        status: 202,
        description: 'recorded; the controller acts on it',
        schema: z.object({ accepted: z.literal(true), rollout: RolloutSummarySchema }),
      },
      async handler({ params, body, principal }) {
        const next = await deps.app.engine.command(
          params.id,
          body.reason === undefined
            ? { name: body.command }
            : { name: body.command, reason: body.reason },
          principal.actor,
        );
        return { accepted: true, rollout: summary(next) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/rollouts/:id/observations',
      role: 'operator',
      tag: 'rollouts',
      summary: "Add a person's observation to the timeline (the release log)",
      params: IdParams,
      body: ObservationBody,
      errors: [404, 409, 429],
      success: {
        status: 201,
        description: 'the observation event',
        schema: z.object({ event: TimelineEventSchema }),
      },
      async handler({ params, body, principal }) {
        const next = await deps.app.engine.command(
          params.id,
          { name: 'observe', text: body.text },
          principal.actor,
        );
        const [event] = await deps.store.listEvents(next.id, next.lastSeq - 1);
        return { event };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/rollouts/:id/report',
      role: 'viewer',
      tag: 'records',
      summary: 'The post-release report (Markdown with inline charts, and its data)',
      params: IdParams,
      errors: [404],
      success: {
        status: 200,
        description: 'the report',
        schema: z.object({ markdown: z.string(), json: z.record(z.string(), z.unknown()) }),
      },
      async handler({ params }) {
        await rolloutOrThrow(deps, params.id);
        const doc = await releaseReportDocument(deps.store, params.id, {
          now: new Date(deps.now()).toISOString(),
          charts: 'inline',
        });
        return { markdown: doc.markdown, json: doc.report };
      },
    }),
  ];
}
