import { BuiltinMetricSource } from '../../src/adapters/metrics/builtin/builtin-metric-source.js';
import { BuiltinRouterAdapter } from '../../src/adapters/routers/builtin/builtin-router-adapter.js';
import { metricSourceContract } from '../contracts/metric-source-contract.js';
import { routerContract } from '../contracts/router-contract.js';
import { startClusterStack } from '../helpers/builtin-stack.js';

// The same contracts with the router on two node:cluster workers (ADR 0051): the primary
// must broadcast weights so every worker agrees, and merge the workers' measurements.
routerContract('builtin, 2 cluster workers', async () => {
  const stack = await startClusterStack();
  return {
    router: new BuiltinRouterAdapter({ adminUrl: stack.router.adminUrl }),
    target: { service: 'demo', environment: 'test' },
    send: async (o) => (await stack.send(o ?? {})).version,
    close: () => stack.close(),
  };
});

metricSourceContract('builtin, 2 cluster workers', async () => {
  const stack = await startClusterStack();
  return {
    source: new BuiltinMetricSource({ adminUrl: stack.router.adminUrl }),
    target: { service: 'demo', environment: 'test' },
    now: () => Date.now(),
    settle: async () => undefined,
    async send(plan) {
      await stack.router.setWeight(plan.arm === 'canary' ? 100 : 0);
      await Promise.all(
        Array.from({ length: plan.count }, (_, i) => {
          const headers: Record<string, string> = {};
          if (i < (plan.errors ?? 0)) headers['x-demo-status'] = '503';
          if (plan.delayMs !== undefined) headers['x-demo-delay-ms'] = String(plan.delayMs);
          const unit =
            plan.unitPrefix === undefined
              ? undefined
              : `${plan.unitPrefix}-${i % (plan.units ?? 1)}`;
          return stack.send({ path: plan.path, headers, ...(unit === undefined ? {} : { unit }) });
        }),
      );
    },
    close: () => stack.close(),
  };
});
