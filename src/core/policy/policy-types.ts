import type { z } from 'zod';
import type { GateSpec } from '../plan/plan-types.js';
import type { ReleaseType } from '../rollout/rollout-types.js';
import type { ChannelConfig, RouteConfig } from './notification-schema.js';
import type {
  CheckConfig,
  DeployerConfig,
  MetricsConfig,
  RouterConfig,
  SloTarget,
} from './service-schema.js';
import type { StepConfig } from './strategy-schema.js';

/**
 * The policy after merging its layers (built-in < file < environment < flags) and
 * checking it: complete, cross-referenced, in base units (seconds, fractions, percent
 * weights), frozen. resolvePlan turns it into a ResolvedPlan.
 */
export interface Policy {
  version: 1;
  services: Readonly<Record<string, ServicePolicy>>;
  releaseTypes: Readonly<Record<ReleaseType, { strategy: string; description?: string }>>;
  strategies: Readonly<Record<string, readonly StepConfig[]>>;
  gates: Readonly<Record<string, PolicyGate>>;
  judge: { alpha: number; beta: number; maxNoDataSeconds: number; staleAfterSeconds: number };
  traffic: { minRequests: number; onTimeout: 'promote' | 'pause' | 'rollback' };
  /** In order of `fromSeconds`. */
  watch: Readonly<Record<string, WatchWindowPolicy>>;
  requirements: Readonly<Record<string, RequirementPolicy>>;
  notifications: {
    channels: Readonly<Record<string, z.output<typeof ChannelConfig>>>;
    routes: readonly z.output<typeof RouteConfig>[];
    /** Incident escalation levels by name (seconds after the incident opened). */
    escalation: Readonly<Record<string, { after: number; channels: readonly string[] }>>;
  };
}

export interface PolicyGate extends GateSpec {
  description?: string;
  enabled: boolean;
  optional: boolean;
}

export interface ServicePolicy {
  name: string;
  description?: string;
  environments: Readonly<Record<string, EnvironmentPolicy>>;
  criticalEndpoints: readonly string[];
  slo: Readonly<Record<string, z.output<typeof SloTarget>>>;
  checks: Readonly<Record<string, CheckConfig>>;
}

export interface EnvironmentPolicy {
  name: string;
  router: RouterConfig;
  deployer: DeployerConfig;
  metrics: MetricsConfig;
  /** Strategy for every release type in this environment, when set. */
  strategy?: string;
}

export interface WatchWindowPolicy {
  name: string;
  fromSeconds: number;
  toSeconds: number;
  focus?: string;
}

export interface RequirementPolicy {
  id: string;
  description: string;
  releaseTypes?: ReleaseType[];
  check?: string;
}
