import type { RouteTarget } from './router.js';

export interface CheckContext extends RouteTarget {
  rolloutId: string;
  version: string;
  phase: string;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  durationMs: number;
  message: string;
  /** Per-step results for multi-step flows. */
  steps?: { name: string; ok: boolean; durationMs: number; message: string }[];
}

/** Check port: HTTP, command and multi-step synthetic checks. */
export interface Check {
  readonly name: string;
  run(context: CheckContext, signal?: AbortSignal): Promise<CheckResult>;
}
