/** Identifies the traffic split one rollout controls. */
export interface RouteTarget {
  service: string;
  environment: string;
}

/**
 * Router port: sets and reads the canary weight. Implemented by the built-in proxy,
 * HAProxy, nginx, Gateway API and command adapters; all run the Router contract suite.
 */
export interface Router {
  readonly name: string;
  /** Set the canary weight (0..100, percent). Takes effect for new requests atomically. */
  setWeight(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void>;
  /** The weight currently in force, read back from the router itself. */
  getWeight(target: RouteTarget, signal?: AbortSignal): Promise<number>;
  /** Optional: how to reach the canary directly (header override) for smoke checks. */
  overrideHeader?(): { name: string; value: string };
  close?(): Promise<void>;
}
