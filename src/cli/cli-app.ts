import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { type App, createApp, DEFAULT_LEASE_TTL_MS } from '../app.js';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '../config/policy-file.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { Policy } from '../core/policy/policy-types.js';
import type { CliIo } from './cli-io.js';

/** Options every command that touches rollouts shares. */
export interface StoreOptions {
  store?: string;
  actor?: string;
  json?: boolean;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option(
      '--store <spec>',
      'store: a SQLite file or postgres://… (default: $ROLLGATE_STORE, else .rollgate/rollgate.db)',
    )
    .option('--actor <name>', 'who is acting, as @name (default: @$USER)');
}

/** The store spec: --store, else ROLLGATE_STORE, else the default file (undefined). */
export function storeSpec(options: StoreOptions, io: CliIo): string | undefined {
  const spec = options.store ?? io.env.ROLLGATE_STORE;
  return spec === undefined || spec.trim() === '' ? undefined : spec;
}

/** `@name` from --actor, else `@$USER`. */
export function actorOf(options: StoreOptions, io: CliIo): string {
  const raw = (options.actor ?? io.env.USER ?? io.env.LOGNAME ?? 'unknown').trim();
  const name = raw.startsWith('@') ? raw.slice(1) : raw;
  if (!/^[\w.-]+$/.test(name)) {
    throw new RollgateError('invalid_input', `bad actor "${raw}"`, {
      hint: 'use a plain name such as --actor @alice (letters, digits, . _ -)',
    });
  }
  return `@${name}`;
}

/**
 * How often a CLI engine scans the store (ms): it also wakes the worker of a rollout that
 * another process changed, so a person's `abort` acts within this, not at the next batch.
 */
export const CONTROLLER_SCAN_MS = 500;

/** Short rollout ids a person can type: `ro-` and 12 hex digits. */
export const newRolloutId = (): string => `ro-${randomBytes(6).toString('hex')}`;

export interface CliAppOptions extends StoreOptions {
  /** Load the policy file (commands that drive rollouts need it). */
  policyFile?: string;
  lease?: boolean;
  /** Lease owner (a controller's stable id); default `host:pid`. */
  leaseOwner?: string;
  speed?: number;
}

/**
 * Builds the app for one command through the composition root. Without a policy file the
 * app can read and command rollouts but not drive them (no ports).
 */
export async function openCliApp(io: CliIo, options: CliAppOptions): Promise<App> {
  let policy: Policy | undefined;
  if (options.policyFile !== undefined) {
    policy = await loadPolicyFile({ cwd: io.cwd, file: options.policyFile });
  }
  return createApp({
    ...(policy ? { policy } : {}),
    store: storeSpec(options, io),
    cwd: io.cwd,
    env: io.env,
    lease:
      options.lease && options.leaseOwner !== undefined
        ? { owner: options.leaseOwner, ttlMs: DEFAULT_LEASE_TTL_MS }
        : (options.lease ?? false),
    ...(options.speed === undefined ? {} : { speed: options.speed }),
    engine: { newId: newRolloutId, scanIntervalMs: CONTROLLER_SCAN_MS },
  });
}

export { DEFAULT_POLICY_FILE };

/** Runs `fn` with an app and always closes it. */
export async function withCliApp<T>(
  io: CliIo,
  options: CliAppOptions,
  fn: (app: App) => Promise<T>,
): Promise<T> {
  const app = await openCliApp(io, options);
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}
