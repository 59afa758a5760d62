import { coerceError } from '../core/errors/rollgate-error.js';
import type { Policy } from '../core/policy/policy-types.js';
import {
  INFRA_METRICS_FACTORIES,
  INFRA_ROUTER_FACTORIES,
  type InfraDeps,
} from './infra-adapters.js';

/** One probe of `rollgate validate --connect`. */
export interface ConnectResult {
  service: string;
  environment: string;
  /** `metrics.requests`, `router`, … */
  what: string;
  ok: boolean;
  message: string;
  /** The rendered query, for metric queries. */
  query?: string;
}

/**
 * Reaches what the policy points at, once: every configured Prometheus query (bad PromQL
 * comes back with Prometheus's own message) and every HAProxy router's weights. Routers
 * that are only read from files or scripts (nginx, command) are not run: reading them
 * could have side effects in a team's scripts.
 */
export async function connectChecks(
  policy: Policy,
  deps: InfraDeps,
  nowMs: number,
  signal?: AbortSignal,
): Promise<ConnectResult[]> {
  const results: ConnectResult[] = [];
  for (const service of Object.values(policy.services)) {
    for (const env of Object.values(service.environments)) {
      const target = { service: service.name, environment: env.name };
      const base = { service: service.name, environment: env.name };
      try {
        if (env.metrics.type === 'prometheus') {
          const source = INFRA_METRICS_FACTORIES.prometheus(env.metrics, deps);
          for (const c of await source.checkQueries(target, nowMs, signal)) {
            results.push({
              ...base,
              what: `metrics.${c.name}`,
              ok: c.ok,
              message: c.message,
              query: c.query,
            });
          }
        }
      } catch (err) {
        results.push({ ...base, what: 'metrics', ok: false, message: coerceError(err).message });
      }
      try {
        if (env.router.type === 'haproxy') {
          const router = INFRA_ROUTER_FACTORIES.haproxy(env.router, deps);
          const weight = await router.getWeight(target, signal);
          results.push({
            ...base,
            what: 'router',
            ok: true,
            message: `HAProxy reachable, canary weight ${weight}%`,
          });
        }
      } catch (err) {
        results.push({ ...base, what: 'router', ok: false, message: coerceError(err).message });
      }
    }
  }
  return results;
}
