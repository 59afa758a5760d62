/** What the engine is built from: the store, the clock, the judge and the service ports. */
import type { Check } from '../ports/check.js';
import type { Clock } from '../ports/clock.js';
import type { Deployer } from '../ports/deployer.js';
import type { Judge } from '../ports/judge.js';
import type { MetricSource } from '../ports/metric-source.js';
import type { Router, RouteTarget } from '../ports/router.js';
import type { Store } from '../ports/store.js';

export interface EnginePorts {
  store: Store;
  clock: Clock;
  router: Router;
  deployer: Deployer;
  metrics: MetricSource;
  judge: Judge;
  /** Checks by name (the policy's `checks` section). */
  checks?: Record<string, Check>;
  /**
   * Ports per service and environment, for a controller that runs many services; any
   * port it does not return falls back to the one above.
   */
  portsFor?: (target: RouteTarget) => Partial<ServicePorts>;
}

export type ServicePorts = Pick<EnginePorts, 'router' | 'deployer' | 'metrics' | 'checks'>;
