import { BuiltinMetricSource } from '../adapters/metrics/builtin/builtin-metric-source.js';
import { BuiltinRouterAdapter } from '../adapters/routers/builtin/builtin-router-adapter.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { RouterConfig } from '../core/policy/service-schema.js';
import {
  INFRA_CHECK_FACTORIES,
  INFRA_DEPLOYER_FACTORIES,
  INFRA_METRICS_FACTORIES,
  INFRA_ROUTER_FACTORIES,
} from './infra-adapters.js';
import type { ProviderContext, ProviderRegistry } from './provider-registry.js';

/** The built-in router's admin URL, from the policy (`router.admin: host:port`). */
function adminUrl(router: RouterConfig | undefined, context: ProviderContext): string {
  if (router?.type !== 'builtin') {
    throw new RollgateError(
      'invalid_input',
      `services.${context.service} (${context.environment}): metrics \`builtin\` are measured by the built-in router, but the router is \`${router?.type ?? 'missing'}\``,
      { hint: 'use the built-in router, or `metrics: { type: prometheus, url: … }`' },
    );
  }
  if (router.admin === undefined) {
    throw new RollgateError(
      'invalid_input',
      `services.${context.service} (${context.environment}) router: the built-in router's admin address is not set`,
      {
        hint: 'add `admin: 127.0.0.1:9901` (where the router serves its admin API) to the router settings',
      },
    );
  }
  return `http://${router.admin}`;
}

/**
 * The providers this build ships, registered like any other would be. A policy `type`
 * missing here is not available yet: building a service that uses it fails saying so.
 */
export const BUILTIN_PROVIDERS: ProviderRegistry = {
  routers: {
    ...INFRA_ROUTER_FACTORIES,
    builtin: (config, context) =>
      new BuiltinRouterAdapter({
        adminUrl: adminUrl(config, context),
        ...(config.overrideHeader === undefined ? {} : { overrideHeader: config.overrideHeader }),
      }),
  },
  metrics: {
    ...INFRA_METRICS_FACTORIES,
    builtin: (_config, context) =>
      new BuiltinMetricSource({ adminUrl: adminUrl(context.routerConfig, context) }),
  },
  deployers: { ...INFRA_DEPLOYER_FACTORIES },
  checks: { ...INFRA_CHECK_FACTORIES },
};
