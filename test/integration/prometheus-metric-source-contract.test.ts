import { describe } from 'vitest';
import { PrometheusMetricSource } from '../../src/adapters/metrics/prometheus/prometheus-metric-source.js';
import { metricSourceContract } from '../contracts/metric-source-contract.js';
import { startBuiltinStack } from '../helpers/builtin-stack.js';
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus-server.js';
import { haveBinary, waitFor } from '../helpers/real-servers.js';

// The MetricSource contract for Prometheus: real requests through the built-in router,
// whose /metrics a real Prometheus scrapes every second; the source reads it back with
// PromQL templates written for the router's metric names and labels.
describe.skipIf(!haveBinary(PROMETHEUS))('Prometheus metric source (real prometheus)', () => {
  metricSourceContract(
    'prometheus',
    async () => {
      const stack = await startBuiltinStack();
      let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
      try {
        prometheus = await startPrometheus([
          {
            address: new URL(stack.router.adminUrl).host,
            labels: { service: 'demo', environment: 'test' },
          },
        ]);
      } catch (err) {
        await stack.close();
        throw err;
      }
      let lastSent = Date.now();
      return {
        source: new PrometheusMetricSource({
          url: prometheus.url,
          endpointLabel: 'route',
          queries: {
            requests: 'rollgate_router_requests_total{{selector}}',
            errors: 'rollgate_router_errors_total{{selector}}',
            latencyBuckets: 'rollgate_router_request_duration_seconds_bucket{{selector}}',
          },
        }),
        target: { service: 'demo', environment: 'test' },
        now: () => Date.now(),
        async send(plan) {
          stack.router.setWeight(plan.arm === 'canary' ? 100 : 0);
          await Promise.all(
            Array.from({ length: plan.count }, (_, i) => {
              const headers: Record<string, string> = {};
              if (i < (plan.errors ?? 0)) headers['x-demo-status'] = '503';
              if (plan.delayMs !== undefined) headers['x-demo-delay-ms'] = String(plan.delayMs);
              return stack.send({ path: plan.path, headers });
            }),
          );
          lastSent = Date.now();
        },
        // Visible once Prometheus has a sample scraped after the last request.
        settle: () =>
          waitFor('a scrape after the last request', async () => {
            const newest = await prometheus.newestSample('up{service="demo"}');
            return newest !== undefined && newest > lastSent + 50;
          }),
        async close() {
          await prometheus.close();
          await stack.close();
        },
      };
    },
    {
      withoutUnits:
        'Prometheus counters carry no user identity: distinct units need the built-in router (ADR 0072)',
    },
  );
});
