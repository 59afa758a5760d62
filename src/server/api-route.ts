/**
 * One API route, declared once: its method and path, the role it needs, its zod schemas
 * and its handler. The server registers these with Fastify and validates requests with
 * the schemas; the OpenAPI document is generated from the same list (openapi.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { App } from '../app.js';
import type { PostMortemStore } from '../ports/post-mortem-store.js';
import type { Store } from '../ports/store.js';
import type { TokenStore } from '../ports/token-store.js';
import type { Role } from './api-schemas.js';
import type { Authenticator, Principal } from './authenticator.js';

export const API_PREFIX = '/api/v1';

export type ServerStore = Store & PostMortemStore & TokenStore;

/** What routes are built from. */
export interface ServerDeps {
  app: App;
  store: ServerStore;
  auth: Authenticator;
  version: string;
  /** Milliseconds on the app's clock (ages, record times). */
  now(): number;
  /** Ends every open event stream (server shutdown). */
  closing: AbortSignal;
  /** The SSE heartbeat period and poll interval. */
  stream: { heartbeatMs: number; pollMs: number };
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Under /api/v1, Fastify style (`/rollouts/:id`). */
  path: string;
  /** `none`: no token needed, even once tokens exist. */
  role: Role | 'none';
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer: status, schema (none = empty body), media type. */
  success: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Problem statuses this route answers with besides the common ones. */
  errors?: number[];
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

/** A route with its types erased (the server and the OpenAPI builder see only this). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  role: Role | 'none';
  summary: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  errors?: number[];
  handler(ctx: RouteContext<unknown, unknown, unknown>): Promise<unknown>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): ApiRoute {
  return spec as unknown as ApiRoute;
}
