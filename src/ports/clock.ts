/** Time, injected: tests run hours of rollout in milliseconds of virtual time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolve after `ms` of this clock's time, or reject with the signal's reason. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
