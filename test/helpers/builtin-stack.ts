import { Pool } from 'undici';
import type { DemoServiceOptionsInput } from '../../src/demo/demo-options.js';
import { startDemoService } from '../../src/demo/demo-service.js';
import { BuiltinRouter, type RouterDeps } from '../../src/router/builtin-router.js';
import { ClusterRouter } from '../../src/router/cluster-router.js';
import type { RouterConfigInput } from '../../src/router/router-config.js';

export type Version = 'stable' | 'canary';

/** What the stack needs of a router: the single-process one or the cluster primary. */
interface AnyRouter {
  readonly url: string;
  readonly adminUrl: string;
  close(): Promise<void>;
}

/** Two demo service versions behind a built-in router, all on 127.0.0.1 free ports. */
export interface BuiltinStack<R extends AnyRouter = BuiltinRouter> {
  router: R;
  stable: Awaited<ReturnType<typeof startDemoService>>;
  canary: Awaited<ReturnType<typeof startDemoService>>;
  client: Pool;
  /** One request through the router; resolves with the version that answered. */
  send(options?: {
    path?: string;
    unit?: string;
    override?: Version;
    headers?: Record<string, string>;
  }): Promise<{ version: Version; status: number }>;
  close(): Promise<void>;
}

export interface StackOptions {
  router?: Partial<RouterConfigInput>;
  stable?: Partial<DemoServiceOptionsInput>;
  canary?: Partial<DemoServiceOptionsInput>;
  deps?: RouterDeps;
}

export function startBuiltinStack(options: StackOptions = {}): Promise<BuiltinStack> {
  return startStack(options, (config) => BuiltinRouter.start(config, options.deps));
}

/** The same stack with the router on node:cluster workers (`workers`, default 2). */
export function startClusterStack(
  options: StackOptions = {},
): Promise<BuiltinStack<ClusterRouter>> {
  return startStack(options, (config) => ClusterRouter.start({ workers: 2, ...config }));
}

async function startStack<R extends AnyRouter>(
  options: StackOptions,
  start: (config: RouterConfigInput) => Promise<R>,
): Promise<BuiltinStack<R>> {
  const fast = { '/v1/health': 0, '/v1/contacts': 0, '/v1/jobs': 0, '/v1/payment/process': 0 };
  const stable = await startDemoService({
    version: 'stable',
    latencyMs: fast,
    testHooks: true,
    ...options.stable,
  });
  const canary = await startDemoService({
    version: 'canary',
    latencyMs: fast,
    testHooks: true,
    ...options.canary,
  });
  let router: R;
  try {
    router = await start({
      upstreams: { stable: [stable.url], canary: [canary.url] },
      ...options.router,
    });
  } catch (err) {
    await Promise.all([stable.close(), canary.close()]);
    throw err;
  }
  const client = new Pool(router.url, { connections: 50 });
  return {
    router,
    stable,
    canary,
    client,
    async send(o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.unit !== undefined) headers['x-rollgate-unit'] = o.unit;
      if (o.override !== undefined) headers['x-rollgate-version'] = o.override;
      const res = await client.request({ method: 'GET', path: o.path ?? '/v1/health', headers });
      await res.body.dump();
      const version = res.headers['x-demo-version'];
      if (version !== 'stable' && version !== 'canary') {
        throw new Error(`no x-demo-version in a ${res.statusCode} response`);
      }
      return { version, status: res.statusCode };
    },
    async close() {
      await client.close();
      await router.close();
      await Promise.all([stable.close(), canary.close()]);
    },
  };
}
