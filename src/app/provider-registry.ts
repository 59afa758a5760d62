import { RollgateError } from '../core/errors/rollgate-error.js';
import type {
  CheckConfig,
  DeployerConfig,
  MetricsConfig,
  RouterConfig,
} from '../core/policy/service-schema.js';
import type { Check } from '../ports/check.js';
import type { Deployer } from '../ports/deployer.js';
import type { MetricSource } from '../ports/metric-source.js';
import type { Router } from '../ports/router.js';

/** What a provider factory may use besides its own settings. */
export interface ProviderContext {
  service: string;
  environment: string;
  /** Relative paths in the policy resolve against this directory. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** For checks: the service's router (its override header reaches one version). */
  router?: Router;
  /** For metric sources measured by the router itself (`builtin`): its settings. */
  routerConfig?: RouterConfig;
}

type Of<C extends { type: string }, T extends C['type']> = Extract<C, { type: T }>;

export type RouterFactory<T extends RouterConfig['type'] = RouterConfig['type']> = (
  config: Of<RouterConfig, T>,
  context: ProviderContext,
) => Router;
export type MetricsFactory<T extends MetricsConfig['type'] = MetricsConfig['type']> = (
  config: Of<MetricsConfig, T>,
  context: ProviderContext,
) => MetricSource;
export type DeployerFactory<T extends DeployerConfig['type'] = DeployerConfig['type']> = (
  config: Of<DeployerConfig, T>,
  context: ProviderContext,
) => Deployer;
export type CheckFactory<T extends CheckConfig['type'] = CheckConfig['type']> = (
  name: string,
  config: Of<CheckConfig, T>,
  context: ProviderContext,
) => Check;

/**
 * Providers by the policy's `type` names (CONVENTIONS.md "Providers register in a name →
 * factory map"). The built-in ones register here like any other; a type the map lacks is
 * not available in this build, and building a service that uses it fails saying so.
 */
export interface ProviderRegistry {
  routers: { [T in RouterConfig['type']]?: RouterFactory<T> };
  metrics: { [T in MetricsConfig['type']]?: MetricsFactory<T> };
  deployers: { [T in DeployerConfig['type']]?: DeployerFactory<T> };
  checks: { [T in CheckConfig['type']]?: CheckFactory<T> };
}

export type ProviderKind = keyof ProviderRegistry;

const KIND_NAMES: Record<ProviderKind, string> = {
  routers: 'router',
  metrics: 'metric source',
  deployers: 'deployer',
  checks: 'check',
};

/** Two registries merged, the second one's entries winning (tests add their own). */
export function mergeProviders(
  base: ProviderRegistry,
  extra: Partial<ProviderRegistry> = {},
): ProviderRegistry {
  return {
    routers: { ...base.routers, ...extra.routers },
    metrics: { ...base.metrics, ...extra.metrics },
    deployers: { ...base.deployers, ...extra.deployers },
    checks: { ...base.checks, ...extra.checks },
  };
}

/** The factory for `type`, or a clear `invalid_input` naming what is not available. */
export function factoryFor<K extends ProviderKind>(
  registry: ProviderRegistry,
  kind: K,
  type: string,
  where: string,
): NonNullable<ProviderRegistry[K][keyof ProviderRegistry[K]]> {
  const factory = (registry[kind] as Record<string, unknown>)[type];
  if (factory === undefined) {
    const available = Object.keys(registry[kind]).sort();
    throw new RollgateError(
      'invalid_input',
      `${where}: ${KIND_NAMES[kind]} type \`${type}\` is not available yet in this rollgate build`,
      {
        hint:
          available.length > 0
            ? `available ${KIND_NAMES[kind]} types: ${available.join(', ')}`
            : `no ${KIND_NAMES[kind]} type is available yet in this build`,
        details: { kind, type, available },
      },
    );
  }
  return factory as NonNullable<ProviderRegistry[K][keyof ProviderRegistry[K]]>;
}

/** Builds one provider: the factory for `type` called with the policy's settings. */
export function buildProvider<T>(
  registry: ProviderRegistry,
  kind: ProviderKind,
  type: string,
  where: string,
  args: readonly unknown[],
): T {
  // The maps are typed per `type`; a lookup by a runtime name cannot carry that link.
  const factory = factoryFor(registry, kind, type, where) as (...a: readonly unknown[]) => T;
  return factory(...args);
}
