import type { ProviderRegistry } from './provider-registry.js';

/**
 * The providers this build ships, registered like any other would be. A policy `type`
 * missing here is not available yet: building a service that uses it fails saying so.
 */
export const BUILTIN_PROVIDERS: ProviderRegistry = {
  routers: {},
  metrics: {},
  deployers: {},
  checks: {},
};
