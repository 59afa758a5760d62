import type { RouteTarget } from './router.js';

export interface DeployRequest extends RouteTarget {
  rolloutId: string;
  version: string;
  previousVersion: string;
  /** Where to put `version`: the canary pool, or the stable pool (promotion). */
  target: 'canary' | 'stable';
}

export interface DeployResult {
  ok: boolean;
  /** Captured output for the timeline (secrets already redacted). */
  output?: string;
  message: string;
}

/** Deployer port: local processes (demo), the team's own scripts, Kubernetes. */
export interface Deployer {
  readonly name: string;
  deploy(request: DeployRequest, signal?: AbortSignal): Promise<DeployResult>;
  /** Put `previousVersion` back everywhere; the canary gets no traffic afterwards. */
  rollback(request: DeployRequest, signal?: AbortSignal): Promise<DeployResult>;
}
