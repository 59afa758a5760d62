import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import {
  builtinLayer,
  compilePolicy,
  parsePolicyLayer,
} from '../../src/core/policy/compile-policy.js';
import type { Policy } from '../../src/core/policy/policy-types.js';
import { MemoryStore } from '../fakes/memory-store.js';

function policy(yaml: string): Policy {
  const layer = parsePolicyLayer(yaml, 'rollgate.yaml');
  if (!layer.ok) throw new Error(JSON.stringify(layer.issues));
  const result = compilePolicy([builtinLayer(), layer.layer]);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

const POLICY = policy(`version: 1
services:
  shop:
    router: { type: haproxy, runtimeApi: /run/haproxy.sock, backend: shop, stableServer: s, canaryServer: c }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: prometheus, url: "http://127.0.0.1:9090" }
    checks:
      health: { type: http, url: "http://127.0.0.1:8080/health" }
`);

describe('createApp (the composition root)', () => {
  it('builds per-service ports by the policy types, through the provider maps', async () => {
    const calls: string[] = [];
    const app = await createApp({
      policy: POLICY,
      openStore: new MemoryStore(),
      providers: {
        routers: {
          haproxy: (config, ctx) => {
            calls.push(`router ${config.backend} for ${ctx.service}/${ctx.environment}`);
            return { name: 'r', setWeight: async () => undefined, getWeight: async () => 0 };
          },
        },
        metrics: {
          prometheus: (config) => {
            calls.push(`metrics ${config.url}`);
            return { name: 'm', read: async () => ({ ok: false, reason: 'x', retryable: true }) };
          },
        },
        deployers: {
          command: () => ({
            name: 'd',
            deploy: async () => ({ ok: true, message: '' }),
            rollback: async () => ({ ok: true, message: '' }),
          }),
        },
        checks: {
          http: (name) => ({
            name,
            run: async () => ({ name, ok: true, durationMs: 0, message: '' }),
          }),
        },
      },
    });
    try {
      const ports = app.servicePorts({ service: 'shop', environment: 'production' });
      expect(Object.keys(ports.checks ?? {})).toEqual(['health']);
      // built once per service and environment
      expect(app.servicePorts({ service: 'shop', environment: 'production' })).toBe(ports);
      expect(calls).toEqual(['router shop for shop/production', 'metrics http://127.0.0.1:9090']);
    } finally {
      await app.close();
    }
  });

  it('a type this build lacks: a clear error naming the service, the port and the type', async () => {
    const gateway = policy(`version: 1
services:
  shop:
    router: { type: gateway-api, namespace: shop, httpRoute: shop, stableBackend: shop, canaryBackend: shop-canary }
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: prometheus, url: "http://127.0.0.1:9090" }
`);
    const app = await createApp({ policy: gateway, openStore: new MemoryStore() });
    try {
      let error: unknown;
      try {
        app.servicePorts({ service: 'shop', environment: 'production' });
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({
        code: 'invalid_input',
        message:
          'services.shop (production) router: router type `gateway-api` is not available yet in this rollgate build',
        hint: 'available router types: builtin, command, haproxy, nginx',
        details: { kind: 'routers', type: 'gateway-api' },
      });
    } finally {
      await app.close();
    }
  });

  it('an unknown service or environment is refused', async () => {
    const app = await createApp({ policy: POLICY, openStore: new MemoryStore() });
    try {
      expect(() => app.servicePorts({ service: 'nope', environment: 'production' })).toThrow(
        'the policy has no service `nope` with environment `production`',
      );
    } finally {
      await app.close();
    }
  });
});
