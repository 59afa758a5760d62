/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (`z.toJSONSchema`,
 * JSON Schema 2020-12 as OpenAPI 3.1 uses). Named models (`.meta({ id })`) become
 * `components.schemas`. Committed as schema/openapi.json; a test keeps the two equal.
 */
import { z } from 'zod';
import { API_PREFIX, type ApiRoute } from './api-route.js';
import { ProblemSchema } from './api-schemas.js';
import { titleOf } from './problem.js';

type Json = Record<string, unknown>;

const COMMON_ERRORS: Record<string, number[]> = {
  none: [500],
  viewer: [401, 403, 500],
  operator: [401, 403, 500],
  admin: [401, 403, 500],
};

class SchemaCollector {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      unrepresentable: 'any',
      io,
    }) as Json;
    const { $schema: _s, $defs, ...rest } = json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) {
      this.components[id] = this.rewrite(def) as Json;
    }
    return this.rewrite(rest) as Json;
  }

  private rewrite(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.rewrite(v));
    if (value === null || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      out[k] =
        k === '$ref' && typeof v === 'string'
          ? v.replace('#/$defs/', '#/components/schemas/')
          : this.rewrite(v);
    }
    return out;
  }
}

/** `/rollouts/:id` → `/api/v1/rollouts/{id}`. */
export function openApiPath(path: string): string {
  return `${API_PREFIX}${path}`.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function parameters(c: SchemaCollector, route: ApiRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = c.convert(schema, 'input');
    const props = (json.properties ?? {}) as Record<string, Json>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

export function buildOpenApi(routes: readonly ApiRoute[], version: string): Json {
  const c = new SchemaCollector();
  c.convert(ProblemSchema, 'output'); // registers components.schemas.Problem
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const responses: Record<string, Json> = {};
    const s = route.success;
    responses[String(s.status)] = {
      description: s.description,
      ...(s.schema
        ? {
            content: {
              [s.contentType ?? 'application/json']: { schema: c.convert(s.schema, 'output') },
            },
          }
        : s.contentType
          ? { content: { [s.contentType]: { schema: { type: 'string' } } } }
          : {}),
    };
    const errors = new Set([
      ...(route.params || route.query || route.body ? [400] : []),
      ...(route.errors ?? []),
      ...(COMMON_ERRORS[route.role] ?? []),
    ]);
    for (const status of [...errors].sort()) {
      responses[String(status)] = {
        description: titleOf(status),
        content: {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        },
      };
    }
    const params = parameters(c, route);
    const op: Json = {
      operationId: `${route.method.toLowerCase()}${path
        .replace(API_PREFIX, '')
        .split(/[/{}.-]+/)
        .filter(Boolean)
        .map((w) => w[0]?.toUpperCase() + w.slice(1))
        .join('')}`,
      summary: route.summary,
      tags: [route.tag],
      'x-rollgate-role': route.role,
      security: route.role === 'none' ? [] : [{ bearer: [] }],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: c.convert(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
    paths[path] ??= {};
    (paths[path] as Record<string, Json>)[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'rollgate API',
      version,
      description:
        'Releases, rollouts, commands, the timeline and the records of rollgate (docs/api.md). Errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(c.components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'rg_<id>_<secret>',
          description:
            'An API token (`rollgate token create`). On loopback with no token yet, requests without one act as admin @local.',
        },
      },
    },
  };
}
