import type { RouterConfigInput } from '../router/router-config.js';
import { type RouterProcess, spawnRouter } from '../router/router-process.js';
import type { DemoFaults } from './demo-options.js';
import { type DemoServiceProcess, spawnDemoService } from './demo-service-process.js';

export interface DemoStackOptions {
  stableVersion?: string;
  canaryVersion?: string;
  /** Faults of the new version (default: seed 000's 3 % errors on /v1/payment/process). */
  canaryFaults?: Partial<DemoFaults>;
  /** Extra router options (ports, workers, unit header …); upstreams are filled in. */
  router?: Partial<RouterConfigInput>;
  seed?: number;
}

export interface DemoStack {
  stable: DemoServiceProcess;
  canary: DemoServiceProcess;
  router: RouterProcess;
  /** Where the load generator sends traffic. */
  url: string;
  /** For BuiltinRouterAdapter and BuiltinMetricSource. */
  adminUrl: string;
  /** Stop the router (drains), then both versions. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Everything `rollgate demo` runs besides the controller: two versions of the demo service
 * (each its own process) behind the built-in router (its own process), weight 0. The
 * caller builds the Router / MetricSource adapters from `adminUrl` and drives load with
 * `runLoad({ url })`.
 */
export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    // Both versions start at once (a process each): on a busy machine that halves start-up.
    const [stableStart, canaryStart] = await Promise.allSettled([
      spawnDemoService({ version: options.stableVersion ?? 'v2.0.0', seed: options.seed ?? 1 }),
      spawnDemoService({
        version: options.canaryVersion ?? 'v2.1.0',
        seed: (options.seed ?? 1) + 1,
        faults: {
          errorRate: { endpoint: '/v1/payment/process', rate: 0.03, status: 503 },
          ...options.canaryFaults,
        },
      }),
    ]);
    for (const r of [stableStart, canaryStart]) if (r.status === 'fulfilled') started.push(r.value);
    if (stableStart.status === 'rejected') throw stableStart.reason;
    if (canaryStart.status === 'rejected') throw canaryStart.reason;
    const stable = stableStart.value;
    const canary = canaryStart.value;
    const router = await spawnRouter({
      weight: 0,
      ...options.router,
      upstreams: { stable: [stable.url], canary: [canary.url] },
    });
    started.push(router);
    let stopping: Promise<void> | undefined;
    return {
      stable,
      canary,
      router,
      url: router.url,
      adminUrl: router.adminUrl,
      stop() {
        stopping ??= (async () => {
          await router.stop();
          await Promise.all([stable.stop(), canary.stop()]);
        })();
        return stopping;
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    throw err;
  }
}
