import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiRoute, defineRoute, type ServerDeps } from '../api-route.js';
import { IdParams, StreamQuery } from '../api-schemas.js';
import { toSummary } from '../rollout-summary.js';
import { API_HEADERS } from '../security-headers.js';
import { rolloutOrThrow } from './rollout-routes.js';

function startSeq(header: string | string[] | undefined, after: number | undefined): number {
  const raw = Array.isArray(header) ? header[0] : header;
  const n = raw === undefined ? Number.NaN : Number(raw);
  if (Number.isSafeInteger(n) && n >= 0) return n;
  return after ?? 0;
}

/**
 * `GET /rollouts/:id/stream`: server-sent events. Each new timeline event is sent as
 * `id: <seq>`, `event: timeline`, then the rollout's `event: snapshot` (a RolloutSummary);
 * a reconnecting client's `Last-Event-ID` (or `?after=`) resumes after that seq, so
 * nothing is lost or repeated. A comment line every heartbeat keeps proxies from closing
 * an idle stream. The timeline is read from the store, so commands from any process show.
 */
export function streamRoute(deps: ServerDeps): ApiRoute {
  return defineRoute({
    method: 'GET',
    path: '/rollouts/:id/stream',
    role: 'viewer',
    tag: 'rollouts',
    summary: "A rollout's timeline as server-sent events (honours Last-Event-ID)",
    params: IdParams,
    query: StreamQuery,
    errors: [404],
    success: {
      status: 200,
      description:
        'an event stream: `event: timeline` (id = seq, data = TimelineEvent), `event: snapshot` (data = RolloutSummary)',
      contentType: 'text/event-stream',
    },
    async handler({ params, query, request, reply }) {
      const first = await rolloutOrThrow(deps, params.id);
      let seq = startSeq(request.headers['last-event-id'], query.after);
      const stop = new AbortController();
      const end = () => stop.abort();
      deps.closing.addEventListener('abort', end, { once: true });
      request.raw.on('close', end);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...API_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (text: string) => {
        if (!res.writableEnded) res.write(text);
      };
      send(
        `retry: 2000\n\nevent: snapshot\ndata: ${JSON.stringify(toSummary(first, deps.now()))}\n\n`,
      );
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), deps.stream.heartbeatMs);
      try {
        while (!stop.signal.aborted) {
          const events = await deps.store.listEvents(params.id, seq);
          if (events.length > 0) {
            const s = (await deps.store.getRollout(params.id)) ?? first;
            const snapshot = `event: snapshot\ndata: ${JSON.stringify(toSummary(s, deps.now()))}\n\n`;
            for (const e of events) {
              send(`id: ${e.seq}\nevent: timeline\ndata: ${JSON.stringify(e)}\n\n${snapshot}`);
              seq = e.seq;
            }
          }
          await sleep(deps.stream.pollMs, undefined, { signal: stop.signal }).catch(
            () => undefined,
          );
        }
      } catch {
        // the store failed: end the stream; the client reconnects with Last-Event-ID
      } finally {
        clearInterval(heartbeat);
        deps.closing.removeEventListener('abort', end);
        request.raw.off('close', end);
        if (!res.writableEnded) res.end();
      }
      return undefined;
    },
  });
}
