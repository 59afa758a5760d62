import { CommandCheck } from '../adapters/checks/command/command-check.js';
import { FlowCheck } from '../adapters/checks/flow/flow-check.js';
import { HttpCheck } from '../adapters/checks/http/http-check.js';
import { httpProbe } from '../adapters/checks/http/http-probe.js';
import { CommandDeployer } from '../adapters/deployers/command/command-deployer.js';
import { ShellCommandRunner } from '../adapters/exec/shell-command-runner.js';
import { PrometheusMetricSource } from '../adapters/metrics/prometheus/prometheus-metric-source.js';
import { CommandRouter } from '../adapters/routers/command/command-router.js';
import { HaproxyRouter } from '../adapters/routers/haproxy/haproxy-router.js';
import { NginxRouter } from '../adapters/routers/nginx/nginx-router.js';
import type {
  CheckConfig,
  DeployerConfig,
  MetricsConfig,
  RouterConfig,
} from '../core/policy/service-schema.js';
import type { Check } from '../ports/check.js';
import type { CommandRunner } from '../ports/command-runner.js';
import type { Deployer } from '../ports/deployer.js';
import type { Router } from '../ports/router.js';
import { resolveSecretRef, resolveSecretRefs, type SecretSource } from './secret-refs.js';

/**
 * Factories for the adapters to infrastructure teams already run (issue #6): one per
 * policy `type`, in name → factory maps the composition root merges with its own
 * (CONVENTIONS.md "Providers register in a name → factory map"). Each resolves its secret
 * references here, when the adapter is built, never in the policy model (ADR 0014).
 */
export interface InfraDeps extends SecretSource {
  runner?: CommandRunner;
  /** The service's router, for checks that target one version through its override header. */
  router?: Router;
}

type Of<U, T> = Extract<U, { type: T }>;
const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);
const opt = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
const runnerOf = (deps: InfraDeps) => deps.runner ?? new ShellCommandRunner();

export const INFRA_ROUTER_FACTORIES = {
  haproxy: (c: Of<RouterConfig, 'haproxy'>, _deps: InfraDeps): Router =>
    new HaproxyRouter({
      runtimeApi: c.runtimeApi,
      backend: c.backend,
      stableServer: c.stableServer,
      canaryServer: c.canaryServer,
      ...opt('totalWeight', c.totalWeight),
      ...opt('overrideHeader', c.overrideHeader),
      ...opt('timeoutMs', ms(c.timeout)),
    }),
  nginx: (c: Of<RouterConfig, 'nginx'>, _deps: InfraDeps): Router =>
    new NginxRouter({
      configFile: c.configFile,
      upstream: c.upstream,
      stable: c.stable,
      canary: c.canary,
      ...opt('testCommand', c.testCommand),
      ...opt('reloadCommand', c.reloadCommand),
      ...opt('hashKey', c.hashKey),
      ...opt('totalWeight', c.totalWeight),
      ...opt('overrideHeader', c.overrideHeader),
      ...opt('timeoutMs', ms(c.timeout)),
    }),
  command: (c: Of<RouterConfig, 'command'>, deps: InfraDeps): Router => {
    const secrets: string[] = [];
    return new CommandRouter(runnerOf(deps), {
      setWeight: c.setWeight,
      getWeight: c.getWeight,
      ...opt('env', resolveSecretRefs(c.env, deps, secrets)),
      secrets,
      ...opt('cwd', c.cwd),
      ...opt('overrideHeader', c.overrideHeader),
      ...opt('timeoutMs', ms(c.timeout)),
    });
  },
} as const;

export const INFRA_DEPLOYER_FACTORIES = {
  command: (c: Of<DeployerConfig, 'command'>, deps: InfraDeps): Deployer => {
    const secrets: string[] = [];
    return new CommandDeployer(runnerOf(deps), {
      deploy: c.deploy,
      rollback: c.rollback,
      ...opt('env', resolveSecretRefs(c.env, deps, secrets)),
      secrets,
      ...opt('cwd', c.cwd),
      ...opt('timeoutMs', ms(c.timeout)),
    });
  },
} as const;

export const INFRA_METRICS_FACTORIES = {
  prometheus: (c: Of<MetricsConfig, 'prometheus'>, deps: InfraDeps): PrometheusMetricSource => {
    const secrets: string[] = [];
    const headers: Record<string, string> = { ...resolveSecretRefs(c.headers, deps, secrets) };
    if (c.bearerToken !== undefined) {
      headers.authorization = `Bearer ${resolveSecretRef(c.bearerToken, deps, secrets)}`;
    }
    if (c.basicAuth !== undefined) {
      const password = resolveSecretRef(c.basicAuth.password, deps, secrets);
      headers.authorization = `Basic ${Buffer.from(`${c.basicAuth.username}:${password}`).toString('base64')}`;
    }
    return new PrometheusMetricSource({
      url: c.url,
      headers,
      ...opt('timeoutMs', ms(c.timeout)),
      ...opt('versionLabel', c.versionLabel),
      ...opt('armValues', c.armValues),
      ...opt('endpointLabel', c.endpointLabel),
      ...opt('selector', c.selector),
      ...opt('queries', c.queries),
    });
  },
} as const;

type HttpRequestConfig = Omit<Of<CheckConfig, 'http'>, 'type' | 'phases' | 'target'>;

function probeRequest(r: HttpRequestConfig, deps: InfraDeps) {
  return {
    url: r.url,
    ...opt('method', r.method),
    ...opt('headers', resolveSecretRefs(r.headers, deps, [])),
    ...opt('body', r.body),
    ...opt('expectStatus', r.expectStatus),
    ...opt('maxLatencyMs', ms(r.maxLatency)),
    ...opt('bodyMatch', r.bodyMatch),
    ...opt('timeoutMs', ms(r.timeout)),
  };
}

function routeHeader(target: 'canary' | 'stable' | undefined, deps: InfraDeps) {
  const header = target === undefined ? undefined : deps.router?.overrideHeader?.();
  return header === undefined ? undefined : { name: header.name, value: target as string };
}

export const INFRA_CHECK_FACTORIES = {
  http: (name: string, c: Of<CheckConfig, 'http'>, deps: InfraDeps): Check =>
    new HttpCheck({
      name,
      ...probeRequest(c, deps),
      ...opt('routeHeader', routeHeader(c.target, deps)),
    }),
  command: (name: string, c: Of<CheckConfig, 'command'>, deps: InfraDeps): Check => {
    const secrets: string[] = [];
    return new CommandCheck(runnerOf(deps), {
      name,
      run: c.run,
      ...opt('env', resolveSecretRefs(c.env, deps, secrets)),
      secrets,
      ...opt('cwd', c.cwd),
      ...opt('timeoutMs', ms(c.timeout)),
    });
  },
  flow: (name: string, c: Of<CheckConfig, 'flow'>, deps: InfraDeps): Check =>
    new FlowCheck(httpProbe, {
      name,
      steps: c.steps.map((s) => ({ name: s.name, ...probeRequest(s, deps) })),
      ...opt('routeHeader', routeHeader(c.target, deps)),
    }),
} as const;

/** Builds a check from its policy entry (any of the three types). */
export function buildInfraCheck(name: string, config: CheckConfig, deps: InfraDeps): Check {
  switch (config.type) {
    case 'http':
      return INFRA_CHECK_FACTORIES.http(name, config, deps);
    case 'command':
      return INFRA_CHECK_FACTORIES.command(name, config, deps);
    case 'flow':
      return INFRA_CHECK_FACTORIES.flow(name, config, deps);
  }
}
