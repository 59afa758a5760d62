import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  INFRA_DEPLOYER_FACTORIES,
  INFRA_METRICS_FACTORIES,
  INFRA_ROUTER_FACTORIES,
} from '../../src/app/infra-adapters.js';
import { main } from '../../src/cli/main.js';
import {
  DeployerConfig,
  MetricsConfig,
  RouterConfig,
} from '../../src/core/policy/service-schema.js';
import { HAPROXY } from '../helpers/haproxy-stack.js';
import { PROMETHEUS } from '../helpers/prometheus-server.js';
import { freePort, haveBinary, sleep, tempDir, waitFor } from '../helpers/real-servers.js';

const run = promisify(execFile);
const example = resolve('examples/haproxy-prometheus');
const built = existsSync(resolve('dist/demo/demo-service-main.js'));
if (!built && process.env.CI === 'true')
  throw new Error('dist/ is missing: `npm test` builds it first');

// The example's own scripts and configs, started on free ports: a canary with errors is
// seen in HAProxy's metrics through Prometheus, and rolled back by the example's scripts.
describe.skipIf(!haveBinary(HAPROXY) || !haveBinary(PROMETHEUS) || !built)(
  'examples/haproxy-prometheus (real haproxy, prometheus and demo services)',
  () => {
    it('starts, validates with --connect, sees a bad canary and rolls it back', async () => {
      const dir = await tempDir('example');
      const ports = {
        FRONT_PORT: await freePort(),
        METRICS_PORT: await freePort(),
        STABLE_PORT: await freePort(),
        CANARY_PORT: await freePort(),
        PROM_PORT: await freePort(),
      };
      const env = {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        ROLLGATE_EXAMPLE_RUN: join(dir.path, 'run'),
        SCRAPE_INTERVAL: '1s',
        DEMO_CANARY_FAULTS: '{"errorRate":{"endpoint":"/v1/contacts","rate":0.3}}',
      };
      const front = `http://127.0.0.1:${ports.FRONT_PORT}`;
      try {
        await run(join(example, 'start.sh'), [], { env, timeout: 90_000 });
        // The example policy, pointed at this run's ports and paths.
        const policyText = (await readFile(join(example, 'rollgate.yaml'), 'utf8'))
          .replaceAll('./run/haproxy.sock', join(dir.path, 'run', 'haproxy.sock'))
          .replaceAll('127.0.0.1:9090', `127.0.0.1:${ports.PROM_PORT}`)
          .replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.FRONT_PORT}`)
          .replaceAll('./deploy.sh', join(example, 'deploy.sh'))
          .replaceAll('./rollback.sh', join(example, 'rollback.sh'));
        const file = join(dir.path, 'rollgate.yaml');
        await writeFile(file, policyText);
        const out: string[] = [];
        const io = {
          cwd: dir.path,
          env,
          out: (t: string) => out.push(t),
          err: (t: string) => out.push(t),
        };
        await waitFor(
          'HAProxy series in Prometheus',
          async () => {
            out.length = 0;
            const code = await main(['validate', file, '--connect'], io as never);
            return (
              code === 0 && /metrics\.requests: \d+ series \(baseline, canary\)/.test(out.join(''))
            );
          },
          30_000,
          500,
        );
        expect(out.join('')).toMatch(/router: HAProxy reachable, canary weight 0%/);

        const service = parse(policyText).services.demo;
        const deps = { env, cwd: dir.path };
        const router = INFRA_ROUTER_FACTORIES.haproxy(
          RouterConfig.parse(service.router) as never,
          deps,
        );
        // The scripts find this run's ports and directory in their environment.
        const scriptEnv = Object.fromEntries(
          Object.entries(env).filter(
            ([k]) => k in ports || k.startsWith('ROLLGATE_EXAMPLE') || k.startsWith('DEMO_'),
          ),
        );
        const deployer = INFRA_DEPLOYER_FACTORIES.command(
          DeployerConfig.parse({ ...service.deployer, env: scriptEnv }) as never,
          deps,
        );
        const source = INFRA_METRICS_FACTORIES.prometheus(
          MetricsConfig.parse(service.metrics) as never,
          deps,
        );
        const target = { service: 'demo', environment: 'production' };
        const request = {
          ...target,
          rolloutId: 'ro-example',
          version: 'v2',
          previousVersion: 'v1',
        };

        const deployed = await deployer.deploy({ ...request, target: 'canary' });
        expect(deployed.ok, deployed.output).toBe(true);
        await router.setWeight(target, 50);
        const from = Date.now();
        const versions: string[] = [];
        for (let i = 0; i < 300; i++) {
          const res = await fetch(`${front}/v1/contacts`, {
            headers: { 'x-rollgate-unit': `u-${i}` },
          });
          versions.push(res.headers.get('x-demo-version') ?? '?');
          await res.arrayBuffer();
        }
        expect(new Set(versions)).toEqual(new Set(['v1', 'v2']));
        const sentAt = Date.now();
        await sleep(2_500);
        const read = await source.read(target, { from, to: Date.now() });
        expect(read.ok, JSON.stringify(read)).toBe(true);
        if (!read.ok) return;
        expect(read.batch.baseline.requests + read.batch.canary.requests).toBe(300);
        expect(read.batch.baseline.errors).toBe(0);
        expect(read.batch.canary.errors).toBeGreaterThan(10);
        expect(sentAt).toBeGreaterThan(from);

        // What the engine does on a rollback: weight 0, then the deployer's rollback.
        await router.setWeight(target, 0);
        const rolledBack = await deployer.rollback({ ...request, target: 'canary' });
        expect(rolledBack.ok, rolledBack.output).toBe(true);
        const canary = await fetch(`${front}/v1/health`, {
          headers: { 'x-rollgate-version': 'canary' },
        });
        expect(canary.headers.get('x-demo-version')).toBe('v1');
        await canary.arrayBuffer();
      } finally {
        await run(join(example, 'stop.sh'), [], { env, timeout: 30_000 }).catch(() => undefined);
        await sleep(500);
        await dir.remove();
      }
    });
  },
);
