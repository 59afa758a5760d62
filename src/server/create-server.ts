/**
 * The HTTP server (issue #8): the API under /api/v1 (docs/api.md), its OpenAPI document,
 * the timeline as server-sent events, and the dashboard's static files, on one Fastify
 * instance built around an App from the composition root. The caller runs the controller
 * next to it (src/cli/commands/server-command.ts); tests build it on an open store.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { App } from '../app.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import { API_PREFIX, type ApiRoute, type ServerDeps, type ServerStore } from './api-route.js';
import { tokenStoreOf } from './api-tokens.js';
import { Authenticator, type Principal } from './authenticator.js';
import { buildOpenApi } from './openapi.js';
import { fieldErrors, HttpProblem, toProblem, validationProblem } from './problem.js';
import {
  DEFAULT_AUTH_FAILURE_LIMIT,
  DEFAULT_MUTATION_LIMIT,
  RateLimiter,
  type RateLimitOptions,
} from './rate-limit.js';
import { metaRoutes } from './routes/meta-routes.js';
import { recordRoutes } from './routes/record-routes.js';
import { releaseRoutes } from './routes/release-routes.js';
import { rolloutRoutes } from './routes/rollout-routes.js';
import { streamRoute } from './routes/stream-route.js';
import { tokenRoutes } from './routes/token-routes.js';
import { API_HEADERS, COMMON_HEADERS } from './security-headers.js';
import { defaultDashboardDir, staticAnswer } from './static-dashboard.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 7300;

export interface ServerOptions {
  /** Where it will listen: decides the anonymous loopback mode and the token check. */
  host?: string;
  version?: string;
  dashboardDir?: string;
  /** Mutations per caller (ADR 0152). */
  rateLimit?: RateLimitOptions;
  /** Failed token checks per client address before 429. */
  authFailureLimit?: RateLimitOptions;
  stream?: { heartbeatMs?: number; pollMs?: number };
  /** A 5xx the server could not explain (for the operator's log; never sent). */
  onError?: (err: unknown, request: FastifyRequest) => void;
}

export interface RollgateServer {
  readonly fastify: FastifyInstance;
  readonly routes: readonly ApiRoute[];
  readonly openapi: Record<string, unknown>;
  /** Every method and URL Fastify registered (HEAD included), for the OpenAPI test. */
  readonly registered: readonly { method: string; url: string }[];
  /** Listens on the host given at creation; resolves to the base URL. */
  listen(port?: number): Promise<string>;
  /** Ends the event streams and stops listening (the App stays open: its owner closes it). */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function bearer(request: FastifyRequest, route: ApiRoute): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) {
      throw new HttpProblem(
        401,
        'Unauthorized',
        'the Authorization header is not `Bearer <token>`',
      );
    }
    return m[1];
  }
  // EventSource cannot send headers: the stream alone takes the token from the query.
  if (route.path.endsWith('/stream')) {
    const q = request.query as Record<string, unknown> | undefined;
    if (typeof q?.access_token === 'string') return q.access_token;
  }
  return undefined;
}

function parse(where: string, schema: ApiRoute['params'], value: unknown): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw validationProblem(fieldErrors(where, r.error));
  return r.data;
}

/** Builds the server around an app (its store must keep tokens: SQLite or PostgreSQL). */
export async function createServer(app: App, options: ServerOptions = {}): Promise<RollgateServer> {
  const host = options.host ?? DEFAULT_HOST;
  const store = tokenStoreOf(app.store) as ServerStore;
  if (typeof (store as Partial<ServerStore>).listPostMortems !== 'function') {
    throw new RollgateError('invalid_input', 'this store backend keeps no post-mortems', {
      hint: 'use a SQLite file or a postgres:// URL as --store',
    });
  }
  const loopback = isLoopback(host);
  if (!loopback && (await store.countTokens({ activeOnly: true })) === 0) {
    throw new RollgateError(
      'invalid_input',
      `refusing to listen on ${host}: it is not loopback and no API token exists, so anyone who can reach it could release and roll back`,
      {
        hint: 'create an admin token first (`rollgate token create --name you --role admin`), or listen on 127.0.0.1',
      },
    );
  }
  const now = () => app.clock.now();
  const auth = new Authenticator(store, { loopback, now: () => Date.now() });
  const closing = new AbortController();
  const deps: ServerDeps = {
    app,
    store,
    auth,
    version: options.version ?? '0.0.0',
    now,
    closing: closing.signal,
    stream: {
      heartbeatMs: options.stream?.heartbeatMs ?? 15_000,
      pollMs: options.stream?.pollMs ?? 250,
    },
  };
  let openapi: Record<string, unknown> = {};
  const routes: ApiRoute[] = [
    ...metaRoutes(deps, () => openapi),
    ...rolloutRoutes(deps),
    streamRoute(deps),
    ...releaseRoutes(deps),
    ...recordRoutes(deps),
    ...tokenRoutes(deps),
  ];
  openapi = buildOpenApi(routes, deps.version);
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_MUTATION_LIMIT, () => Date.now());
  const failures = new RateLimiter(options.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT, () =>
    Date.now(),
  );
  const tooMany = (wait: number, what: string) =>
    new HttpProblem(429, 'Too Many Requests', what, {
      hint: `wait ${wait} s and send it again`,
      headers: { 'retry-after': String(wait) },
    });
  const dashboardDir = options.dashboardDir ?? defaultDashboardDir();

  const fastify = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
  });

  const registered: { method: string; url: string }[] = [];
  fastify.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) registered.push({ method, url: r.url });
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const headers = request.url.startsWith('/api/') ? API_HEADERS : COMMON_HEADERS;
    for (const [k, v] of Object.entries(headers)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });

  fastify.setErrorHandler((err, request, reply) => {
    const problem = toProblem(err, request.url.split('?')[0] ?? request.url);
    if (problem.status >= 500) options.onError?.(err, request);
    if (err instanceof HttpProblem) {
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
    }
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });

  fastify.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path === '/api' || path.startsWith('/api/') || !['GET', 'HEAD'].includes(request.method)) {
      throw new HttpProblem(404, 'Not Found', `no route ${request.method} ${path}`, {
        hint: 'docs/api.md lists the routes; GET /api/v1/openapi.json describes them',
      });
    }
    const answer = await staticAnswer(dashboardDir, path);
    return reply
      .code(answer.status)
      .type(answer.type)
      .header('cache-control', answer.cache)
      .send(answer.body);
  });

  for (const route of routes) {
    fastify.route({
      method: route.method,
      url: `${API_PREFIX}${route.path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        let principal: Principal = { actor: '@anonymous', role: 'viewer' };
        if (route.role !== 'none') {
          const token = bearer(request, route);
          const held = token === undefined ? 0 : failures.wait(request.ip);
          if (held > 0) throw tooMany(held, 'too many failed token checks from this address');
          try {
            principal = await auth.authenticate(token);
          } catch (err) {
            if (token !== undefined) failures.take(request.ip);
            throw err;
          }
          auth.authorize(principal, route.role);
        }
        if (route.method !== 'GET') {
          const wait = limiter.take(principal.tokenId ?? `ip:${request.ip}`);
          if (wait > 0) throw tooMany(wait, 'too many changes from this caller');
        }
        const ctx = {
          params: parse('params', route.params, request.params),
          query: parse('query', route.query, request.query),
          body: parse('body', route.body, request.body),
          principal,
          request,
          reply,
        };
        const result = await route.handler(ctx);
        if (reply.sent) return reply;
        reply.code(route.success.status);
        return result === undefined ? reply.send() : reply.send(result);
      },
    });
  }

  await fastify.ready();
  return {
    fastify,
    routes,
    openapi,
    registered,
    async listen(port = DEFAULT_PORT) {
      await fastify.listen({ host, port });
      const address = fastify.server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      return `http://${shown}:${actual}`;
    },
    async close() {
      closing.abort();
      await fastify.close();
    },
  };
}
