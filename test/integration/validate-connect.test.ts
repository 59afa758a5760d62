import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startCounterExporter } from '../helpers/counter-exporter.js';
import { HAPROXY, startHaproxyStack } from '../helpers/haproxy-stack.js';
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus-server.js';
import { haveBinary, tempDir } from '../helpers/real-servers.js';

describe.skipIf(!haveBinary(PROMETHEUS) || !haveBinary(HAPROXY))(
  'rollgate validate --connect (real prometheus and haproxy)',
  () => {
    it('runs every query once and reports bad PromQL with Prometheus’s own message', async () => {
      const dir = await tempDir('validate');
      const exporter = await startCounterExporter();
      const prometheus = await startPrometheus([
        { address: exporter.address, labels: { service: 'shop', environment: 'production' } },
      ]);
      const haproxy = await startHaproxyStack();
      try {
        const file = join(dir.path, 'rollgate.yaml');
        await writeFile(
          file,
          `version: 1
services:
  shop:
    environments:
      production: {}
    router:
      type: haproxy
      runtimeApi: ${haproxy.socket}
      backend: demo
      stableServer: stable
      canaryServer: canary
    deployer:
      type: command
      deploy: ./deploy.sh
      rollback: ./rollback.sh
    metrics:
      type: prometheus
      url: ${prometheus.url}
      queries:
        errors: 'sum(rate(http_requests_total{{selector},code=~"5.."}[{window}])'
`,
        );
        const out: string[] = [];
        const io = {
          cwd: dir.path,
          env: {},
          out: (t: string) => out.push(t),
          err: (t: string) => out.push(t),
        };
        const code = await main(['validate', file, '--connect'], io as never);
        const text = out.join('');
        expect(code, text).toBe(2);
        expect(text).toMatch(
          /ok {3}shop\/production metrics\.requests: 2 series \(baseline, canary\)/,
        );
        expect(text).toMatch(/FAIL shop\/production metrics\.errors: .*parse error/);
        expect(text).toMatch(/query: sum\(rate\(http_requests_total\{service="shop"/);
        expect(text).toMatch(/ok {3}shop\/production router: HAProxy reachable, canary weight 0%/);
      } finally {
        await haproxy.close();
        await prometheus.close();
        await exporter.close();
        await dir.remove();
      }
    });
  },
);
