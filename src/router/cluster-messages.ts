import type { RawRead } from './measurement-ring.js';

/** Primary → worker. */
export type ToWorker =
  | { t: 'weight'; id: number; weight: number }
  | { t: 'read'; id: number; from: number; to: number }
  | { t: 'metrics'; id: number }
  | { t: 'drain' };

/** Worker → primary. */
export type FromWorker =
  | { t: 'ready'; port: number }
  | { t: 'stats'; inflight: number }
  | { t: 'weight'; id: number; ok: true }
  | { t: 'weight'; id: number; ok: false; message: string }
  | { t: 'read'; id: number; raw: RawRead }
  | { t: 'metrics'; id: number; json: unknown[] };

/** Environment variable carrying a worker's router config (JSON). */
export const WORKER_CONFIG_ENV = 'ROLLGATE_ROUTER_WORKER_CONFIG';
