import { BuiltinMetricSource } from '../../src/adapters/metrics/builtin/builtin-metric-source.js';
import { metricSourceContract } from '../contracts/metric-source-contract.js';
import { startBuiltinStack } from '../helpers/builtin-stack.js';

// The MetricSource contract for the built-in router's measurements, read over its admin
// API. Requests reach an arm through the weight (0 or 100), not the override header,
// because override traffic is deliberately left out of the measurements (ADR 0052).
metricSourceContract('builtin', async () => {
  const stack = await startBuiltinStack();
  return {
    source: new BuiltinMetricSource({ adminUrl: stack.router.adminUrl }),
    target: { service: 'demo', environment: 'test' },
    now: () => Date.now(),
    settle: async () => undefined,
    async send(plan) {
      stack.router.setWeight(plan.arm === 'canary' ? 100 : 0);
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
