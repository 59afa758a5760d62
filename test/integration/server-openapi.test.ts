import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, call, startApiServer } from '../helpers/api-server.js';

// The OpenAPI document: served == committed (schema/openapi.json, `npm run openapi`),
// a valid OpenAPI 3.1 document whose every schema is valid JSON Schema 2020-12, listing
// exactly the routes Fastify registered, and describing what the server really answers.

type Json = Record<string, unknown>;
const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const committed = JSON.parse(readFileSync(join(repo, 'schema/openapi.json'), 'utf8')) as Json;

/**
 * The parts of the OpenAPI 3.1 meta-schema (spec.openapis.org/oas/3.1/schema) a document
 * of this shape uses; the official file is not shipped with any installed package.
 */
const OPENAPI_31_SUBSET = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' } },
    },
    servers: { type: 'array', items: { type: 'object', required: ['url'] } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] },
        additionalProperties: { $ref: '#/$defs/operation' },
      },
    },
    components: {
      type: 'object',
      properties: {
        schemas: { type: 'object' },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'oauth2', 'openIdConnect'] } },
          },
        },
      },
    },
  },
  $defs: {
    operation: {
      type: 'object',
      required: ['responses', 'operationId'],
      properties: {
        operationId: { type: 'string' },
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'in', 'schema'],
            properties: {
              in: { enum: ['query', 'header', 'path', 'cookie'] },
              required: { type: 'boolean' },
            },
          },
        },
        requestBody: {
          type: 'object',
          required: ['content'],
          properties: { content: { $ref: '#/$defs/content' } },
        },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^[1-5]\\d\\d$' },
          additionalProperties: {
            type: 'object',
            required: ['description'],
            properties: { content: { $ref: '#/$defs/content' } },
          },
        },
        security: { type: 'array' },
      },
    },
    content: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['schema'] },
    },
  },
};

function schemasIn(doc: Json): { where: string; schema: Json }[] {
  const out: { where: string; schema: Json }[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const p of (op.parameters ?? []) as Json[]) {
        out.push({ where: `${method} ${path} ${p.name}`, schema: p.schema as Json });
      }
      const body = (op.requestBody as Json | undefined)?.content as
        | Record<string, Json>
        | undefined;
      for (const c of Object.values(body ?? {})) {
        out.push({ where: `${method} ${path} body`, schema: c.schema as Json });
      }
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        for (const c of Object.values((r.content ?? {}) as Record<string, Json>)) {
          out.push({ where: `${method} ${path} ${status}`, schema: c.schema as Json });
        }
      }
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiServer();
  });
  afterAll(async () => {
    await f?.close();
  });

  it('is served as committed in schema/openapi.json (run `npm run openapi` after changing a route)', async () => {
    const served = await call(f.url, 'GET', '/api/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed);
  });

  it('is a valid OpenAPI 3.1 document whose schemas are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const valid = ajv.validate(OPENAPI_31_SUBSET, committed);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    const json2020 = new Ajv2020({ strict: false, validateFormats: false });
    const components = committed.components as Json;
    const all = schemasIn(committed);
    expect(all.length).toBeGreaterThan(40);
    for (const { where, schema } of all) {
      // compiling resolves every $ref into components.schemas, or throws
      expect(() => json2020.compile({ ...schema, components }), where).not.toThrow();
    }
  });

  it('lists exactly the routes Fastify registered under /api/v1, and no others', () => {
    const registered = f.server.registered
      .filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/v1'))
      .map((r) => `${r.method.toLowerCase()} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(committed.paths as Record<string, Json>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
    expect(registered).toContain('post /api/v1/rollouts/{id}/commands');
  });

  it('describes what the server answers (responses validate against their schemas)', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const components = committed.components as Json;
    const paths = committed.paths as Record<string, Record<string, Json>>;
    const check = async (template: string, url: string, status = 200) => {
      const answer = await call(f.url, 'GET', url);
      expect(answer.status, url).toBe(status);
      const op = paths[template]?.get as Json;
      const content = (op.responses as Record<string, Json>)[String(status)]?.content as Record<
        string,
        Json
      >;
      const type = status >= 400 ? 'application/problem+json' : 'application/json';
      const validate = ajv.compile({ ...(content[type]?.schema as Json), components });
      expect(validate(answer.body), `${url}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    await check('/api/v1/rollouts', '/api/v1/rollouts');
    await check('/api/v1/rollouts/{id}', '/api/v1/rollouts/ro-250');
    await check('/api/v1/rollouts/{id}/events', '/api/v1/rollouts/ro-250/events?after=3');
    await check('/api/v1/rollouts/{id}/observations', '/api/v1/rollouts/ro-250/observations');
    await check('/api/v1/rollouts/{id}', '/api/v1/rollouts/ro-404', 404);
    await check('/api/v1/rollouts', '/api/v1/rollouts?state=sleeping', 400);
    await check('/api/v1/releases', '/api/v1/releases');
    await check('/api/v1/postmortems', '/api/v1/postmortems');
    await check('/api/v1/health', '/api/v1/health');
  });
});
