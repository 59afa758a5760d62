import { describe, expect, it } from 'vitest';
import {
  buildInfraCheck,
  INFRA_DEPLOYER_FACTORIES,
  INFRA_METRICS_FACTORIES,
  INFRA_ROUTER_FACTORIES,
} from '../../src/app/infra-adapters.js';
import {
  CheckConfig,
  DeployerConfig,
  MetricsConfig,
  RouterConfig,
} from '../../src/core/policy/service-schema.js';

/** A secret reference, `${env:NAME}`. */
const ref = (name: string) => `$${'{'}env:${name}}`;

const deps = { env: { PROM_TOKEN: 'tok-123', DEPLOY_KEY: 'k-456' }, cwd: '/tmp' };

describe('infrastructure adapter factories', () => {
  it('build every router type from its policy shape', () => {
    const haproxy = RouterConfig.parse({
      type: 'haproxy',
      runtimeApi: '/run/haproxy/admin.sock',
      backend: 'payments',
      stableServer: 'stable',
      canaryServer: 'canary',
      timeout: '2s',
    });
    const nginx = RouterConfig.parse({
      type: 'nginx',
      configFile: '/etc/nginx/rollgate/payments.conf',
      upstream: 'payments',
      stable: '10.0.0.1:8080',
      canary: '10.0.0.2:8080',
    });
    const command = RouterConfig.parse({ type: 'command', setWeight: 'a', getWeight: 'b' });
    if (haproxy.type !== 'haproxy' || nginx.type !== 'nginx' || command.type !== 'command')
      throw new Error('parse');
    expect(INFRA_ROUTER_FACTORIES.haproxy(haproxy, deps).name).toBe('haproxy');
    expect(INFRA_ROUTER_FACTORIES.nginx(nginx, deps).name).toBe('nginx');
    expect(INFRA_ROUTER_FACTORIES.command(command, deps).name).toBe('command');
  });

  it('resolve secret references when built, and reject a missing one by name', () => {
    const prom = MetricsConfig.parse({
      type: 'prometheus',
      url: 'http://prometheus:9090',
      bearerToken: ref('PROM_TOKEN'),
    });
    if (prom.type !== 'prometheus') throw new Error('parse');
    expect(INFRA_METRICS_FACTORIES.prometheus(prom, deps).name).toBe('prometheus');
    const missing = MetricsConfig.parse({ ...prom, bearerToken: ref('NOPE') });
    if (missing.type !== 'prometheus') throw new Error('parse');
    expect(() => INFRA_METRICS_FACTORIES.prometheus(missing, deps)).toThrow(/NOPE is not set/);
    const deployer = DeployerConfig.parse({
      type: 'command',
      deploy: './deploy.sh',
      rollback: './rollback.sh',
      env: { DEPLOY_API_KEY: ref('DEPLOY_KEY') },
    });
    if (deployer.type !== 'command') throw new Error('parse');
    expect(INFRA_DEPLOYER_FACTORIES.command(deployer, deps).name).toBe('command');
  });

  it('build the three check types, targeting the canary through the router header', () => {
    const router = INFRA_ROUTER_FACTORIES.command(
      { type: 'command', setWeight: 'a', getWeight: 'b' },
      deps,
    );
    const checks = {
      health: CheckConfig.parse({ type: 'http', url: 'http://svc/health', target: 'canary' }),
      db: CheckConfig.parse({ type: 'command', run: './check-db.sh', timeout: '30s' }),
      buy: CheckConfig.parse({
        type: 'flow',
        steps: [{ name: 'login', url: 'http://svc/login', method: 'POST' }],
      }),
    };
    for (const [name, config] of Object.entries(checks)) {
      expect(buildInfraCheck(name, config, { ...deps, router }).name).toBe(name);
    }
  });
});
