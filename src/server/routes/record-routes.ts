import { z } from 'zod';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { POST_MORTEM_STATES, postMortemState } from '../../core/records/incident-times.js';
import type { PostMortemRecord } from '../../ports/post-mortem-store.js';
import {
  postMortemDraftOf,
  releaseLogDocument,
  releaseMetricsOf,
} from '../../records-io/record-documents.js';
import { type ApiRoute, defineRoute, type ServerDeps } from '../api-route.js';
import { IdParams, MetricsQuery, OverdueQuery, RequiredServiceQuery } from '../api-schemas.js';

const json = z.record(z.string(), z.unknown());
const PostMortemSchema = json
  .and(z.object({ state: z.enum(POST_MORTEM_STATES) }))
  .meta({ id: 'PostMortem' });

/** The records: release log, post-mortems, action items, release metrics. */
export function recordRoutes(deps: ServerDeps): ApiRoute[] {
  const nowIso = () => new Date(deps.now()).toISOString();
  const withState = (pm: PostMortemRecord, now: string) => ({
    ...pm,
    state: postMortemState(pm.dueAt, now, pm.completedAt),
  });
  return [
    defineRoute({
      method: 'GET',
      path: '/records/log',
      role: 'viewer',
      tag: 'records',
      summary: "A service's release log (Markdown), newest first",
      query: RequiredServiceQuery,
      errors: [404],
      success: {
        status: 200,
        description: 'the release log',
        schema: z.object({ markdown: z.string() }),
      },
      async handler({ query }) {
        const [any] = await deps.store.listRollouts({ service: query.service, limit: 1 });
        if (!any) {
          throw new RollgateError('not_found', `no rollouts of service ${query.service}`, {
            hint: 'check the service name (as in rollgate.yaml)',
          });
        }
        const doc = await releaseLogDocument(deps.store, query.service, nowIso());
        return { markdown: doc.markdown };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/postmortems',
      role: 'viewer',
      tag: 'records',
      summary: 'Post-mortems, newest first, with their state',
      query: OverdueQuery,
      success: {
        status: 200,
        description: 'the post-mortems',
        schema: z.object({ postmortems: z.array(PostMortemSchema) }),
      },
      async handler({ query }) {
        const now = nowIso();
        const list = await deps.store.listPostMortems({
          ...(query.overdue ? { overdueAt: now } : {}),
          ...(query.service === undefined ? {} : { service: query.service }),
        });
        return { postmortems: list.map((pm) => withState(pm, now)) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/postmortems/:id',
      role: 'viewer',
      tag: 'records',
      summary: 'One post-mortem (by its id or its rollout id): record, draft and action items',
      params: IdParams,
      errors: [404],
      success: {
        status: 200,
        description: 'the post-mortem',
        schema: z.object({
          postmortem: PostMortemSchema,
          markdown: z.string(),
          actionItems: z.array(json),
        }),
      },
      async handler({ params }) {
        const pm =
          (await deps.store.getPostMortem(params.id)) ??
          (await deps.store.getPostMortemByRollout(params.id));
        if (!pm) {
          throw new RollgateError('not_found', `no post-mortem ${params.id}`, {
            hint: 'GET /api/v1/postmortems lists them',
          });
        }
        const items = (await deps.store.listActionItems({ service: pm.service })).filter(
          (i) => i.postMortemId === pm.id,
        );
        const draft = await postMortemDraftOf(deps.store, pm);
        return {
          postmortem: withState(pm, nowIso()),
          markdown: draft.markdown,
          actionItems: items,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/action-items',
      role: 'viewer',
      tag: 'records',
      summary: 'Action items of completed post-mortems, by due date',
      query: OverdueQuery,
      success: {
        status: 200,
        description: 'the action items',
        schema: z.object({ actionItems: z.array(json) }),
      },
      async handler({ query }) {
        const items = await deps.store.listActionItems({
          ...(query.overdue ? { overdueOn: nowIso().slice(0, 10) } : {}),
          ...(query.service === undefined ? {} : { service: query.service }),
        });
        return { actionItems: items };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      role: 'viewer',
      tag: 'records',
      summary: 'DORA release metrics over a period (as `rollgate metrics --json`)',
      query: MetricsQuery,
      success: { status: 200, description: 'the release metrics', schema: json },
      async handler({ query }) {
        return releaseMetricsOf(deps.store, {
          since: query.since ?? '30d',
          environment: query.env ?? 'production',
          now: nowIso(),
          ...(query.service === undefined ? {} : { service: query.service }),
        });
      },
    }),
  ];
}
