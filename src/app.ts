/**
 * The composition root (CONVENTIONS.md "One composition root"): from a validated policy, a
 * store spec and a few options it builds the Store, the per-service ports (router, metric
 * source, deployer, checks, chosen by the policy's `type` fields through the provider
 * maps), the judge, the clock, the Engine and the outbox dispatcher. The CLI, the server
 * and the tests all build rollgate through `createApp`.
 */
import { hostname } from 'node:os';
import { ScaledClock } from './adapters/clock/scaled-clock.js';
import { SystemClock } from './adapters/clock/system-clock.js';
import { BUILTIN_PROVIDERS } from './app/builtin-providers.js';
import { buildNotifiers } from './app/notifier-factories.js';
import { createPolicyJudge } from './app/policy-judge.js';
import {
  buildProvider,
  mergeProviders,
  type ProviderContext,
  type ProviderRegistry,
} from './app/provider-registry.js';
import {
  type RecordsStore,
  RollbackRecords,
  type RollbackRecordsOptions,
} from './app/rollback-records.js';
import { forensicsDirFor, type OpenStoreOptions, openStore } from './app/store-registry.js';
import { RollgateError } from './core/errors/rollgate-error.js';
import type { EscalationConfig } from './core/notify/escalation.js';
import { defaultChannels, routeNotifications } from './core/notify/notification-routing.js';
import type { Policy } from './core/policy/policy-types.js';
import { Engine } from './engine/engine.js';
import type { EngineOptions } from './engine/engine-options.js';
import type { ServicePorts } from './engine/engine-ports.js';
import { NotificationKeeper } from './engine/notification-keeper.js';
import { OutboxDispatcher, type OutboxDispatcherOptions } from './engine/outbox-dispatcher.js';
import type { Check } from './ports/check.js';
import type { Clock } from './ports/clock.js';
import type { Deployer } from './ports/deployer.js';
import { isIncidentStore } from './ports/incident-store.js';
import type { MetricSource } from './ports/metric-source.js';
import type { Notifier } from './ports/notifier.js';
import type { PostMortemStore } from './ports/post-mortem-store.js';
import type { Router, RouteTarget } from './ports/router.js';
import type { Store } from './ports/store.js';

export interface AppConfig {
  /**
   * The validated policy (config/policy-file.ts `loadPolicyFile`). Without one the app
   * can read and command rollouts but not drive them (there are no service ports).
   */
  policy?: Policy;
  /** Store spec: a SQLite path or `postgres://…`; default `.rollgate/rollgate.db` in `cwd`. */
  store?: string;
  /** An already open store (tests); `store` is then ignored and `close()` leaves it open. */
  openStore?: Store;
  storeOptions?: OpenStoreOptions;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Time: default wall time, or `speed` times faster (demos). */
  clock?: Clock;
  speed?: number;
  engine?: Partial<EngineOptions>;
  /**
   * With several controllers on one store (or a `release start --wait` next to a running
   * controller): hold a lease per rollout. `true` = owner `host:pid`, ttl 15 s.
   */
  lease?: boolean | { owner: string; ttlMs: number };
  /** Providers added to (or replacing) the built-in ones, by type name. */
  providers?: Partial<ProviderRegistry>;
  /**
   * Notifiers by outbox route; without one for a route, its messages go dead (say why).
   * Default: built from the policy's `notifications.channels` (secrets resolved from
   * `env`/`cwd`), and the engine's messages routed by `notifications.routes`.
   */
  notifiers?: Record<string, Notifier>;
  /** Links in notifications (Slack, PagerDuty, GitHub) point at this dashboard. */
  dashboardUrl?: string;
  /** Resolved notifier secrets are appended here (a logger's redaction list). */
  secrets?: string[];
  outbox?: Partial<OutboxDispatcherOptions>;
  /**
   * The rollback reaction (post-mortem, forensics, risk register; ADR 0140). Default on
   * when the store keeps post-mortems, with forensics folders next to a SQLite store
   * (`.rollgate/forensics` for the default one; under `cwd` for PostgreSQL; none for an
   * `openStore` unless `records.forensicsDir` says); `false` turns it off.
   */
  records?: RollbackRecordsOptions | false;
}

export interface App {
  readonly policy: Policy | undefined;
  readonly store: Store;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly outbox: OutboxDispatcher;
  /** The rollback reaction, when the store keeps post-mortems (and it is not turned off). */
  readonly records: RollbackRecords | undefined;
  /** Outbox routes that have a notifier. */
  readonly notifierRoutes: readonly string[];
  /**
   * Incidents, escalations and reminders (a store with incidents: the SQL stores); also
   * the outbox dispatcher's hooks. Run it next to the engine (`runController` does).
   */
  readonly keeper: NotificationKeeper | undefined;
  /** The ports of one service and environment (built once, on first use). */
  servicePorts(target: RouteTarget): ServicePorts;
  /** Stop the engine (nothing more is written), close ports and the store. */
  close(): Promise<void>;
}

export const DEFAULT_LEASE_TTL_MS = 15_000;

/** Stands in for the engine's default ports: every rollout gets its service's own. */
function unconfigured(kind: string): never {
  throw new RollgateError(
    'invalid_input',
    `this rollout's service is not in the policy, so rollgate has no ${kind} for it`,
    { hint: 'run the controller with the policy file that defines the service' },
  );
}

class ServicePortCache {
  private readonly built = new Map<string, ServicePorts>();

  constructor(
    private readonly policy: Policy | undefined,
    private readonly providers: ProviderRegistry,
    private readonly context: Omit<ProviderContext, 'service' | 'environment'>,
  ) {}

  get(target: RouteTarget): ServicePorts {
    const key = `${target.service}\u0000${target.environment}`;
    const cached = this.built.get(key);
    if (cached) return cached;
    const ports = this.build(target);
    this.built.set(key, ports);
    return ports;
  }

  private build(target: RouteTarget): ServicePorts {
    if (this.policy === undefined) {
      throw new RollgateError('internal', 'this rollgate process was built without a policy');
    }
    const service = this.policy.services[target.service];
    const env = service?.environments[target.environment];
    if (!service || !env) {
      throw new RollgateError(
        'invalid_input',
        `the policy has no service \`${target.service}\` with environment \`${target.environment}\``,
        { hint: 'check the service and environment names (`rollgate plan` lists them)' },
      );
    }
    const ctx: ProviderContext = { ...this.context, ...target };
    const where = `services.${target.service} (${target.environment})`;
    const p = this.providers;
    const router = buildProvider<Router>(p, 'routers', env.router.type, `${where} router`, [
      env.router,
      ctx,
    ]);
    const metrics = buildProvider<MetricSource>(
      p,
      'metrics',
      env.metrics.type,
      `${where} metrics`,
      [env.metrics, { ...ctx, routerConfig: env.router }],
    );
    const deployer = buildProvider<Deployer>(
      p,
      'deployers',
      env.deployer.type,
      `${where} deployer`,
      [env.deployer, ctx],
    );
    const checks: Record<string, Check> = {};
    for (const [name, config] of Object.entries(service.checks)) {
      checks[name] = buildProvider<Check>(p, 'checks', config.type, `${where} check \`${name}\``, [
        name,
        config,
        { ...ctx, router },
      ]);
    }
    return { router, metrics, deployer, checks };
  }

  async close(): Promise<void> {
    for (const ports of this.built.values()) {
      await ports.router.close?.().catch(() => undefined);
      await ports.metrics.close?.().catch(() => undefined);
    }
    this.built.clear();
  }
}

/** Builds rollgate from its configuration. Opens (and migrates) the store. */
export async function createApp(config: AppConfig): Promise<App> {
  const cwd = config.cwd ?? process.cwd();
  const clock =
    config.clock ??
    (config.speed !== undefined && config.speed !== 1
      ? new ScaledClock(config.speed)
      : new SystemClock());
  const providers = mergeProviders(BUILTIN_PROVIDERS, config.providers);
  const ports = new ServicePortCache(config.policy, providers, {
    cwd,
    env: config.env ?? process.env,
  });
  const store =
    config.openStore ?? (await openStore(config.store, { cwd, ...config.storeOptions }));
  const notifications = policyNotifications(config, cwd, clock);
  const lease =
    config.lease === true
      ? { owner: `${hostname()}:${process.pid}`, ttlMs: DEFAULT_LEASE_TTL_MS }
      : config.lease || undefined;
  const records =
    config.records === false || !keepsRecords(store)
      ? undefined
      : new RollbackRecords(
          {
            store,
            clock,
            metricsFor: (target) =>
              config.policy === undefined ? undefined : ports.get(target).metrics,
          },
          {
            // Next to the store; a store handed in (tests) gets folders only when asked.
            ...(config.openStore ? {} : { forensicsDir: forensicsDirFor(config.store, cwd) }),
            ...(config.engine?.onError ? { onError: config.engine.onError } : {}),
            ...config.records,
          },
        );
  const onCommitted = config.engine?.onCommitted;
  const engine = new Engine(
    {
      store,
      clock,
      judge: createPolicyJudge(),
      router: {
        name: 'unconfigured',
        setWeight: () => unconfigured('router'),
        getWeight: () => unconfigured('router'),
      },
      deployer: {
        name: 'unconfigured',
        deploy: () => unconfigured('deployer'),
        rollback: () => unconfigured('deployer'),
      },
      metrics: { name: 'unconfigured', read: () => unconfigured('metric source') },
      portsFor: (target) => ports.get(target),
    },
    {
      ...(notifications.routing && notifications.fromPolicy
        ? { routeOutbox: (m) => routeNotifications(m, notifications.routing as EscalationConfig) }
        : {}),
      ...config.engine,
      ...(lease ? { lease } : {}),
      onCommitted: (next) => {
        onCommitted?.(next);
        if (next.state === 'rolled_back') records?.trigger(next.id);
        if (next.state === 'completed') records?.triggerCompleted(next.id);
      },
    },
  );
  const keeper = isIncidentStore(store)
    ? new NotificationKeeper({
        store,
        incidents: store,
        ...(isPostMortemStore(store) ? { postMortems: store } : {}),
        clock,
        config: notifications.routing ?? { channels: [], routes: [], escalation: {} },
        portsFor: (target) => ports.get(target),
        ...(config.engine?.onError ? { onError: config.engine.onError } : {}),
      })
    : undefined;
  const outbox = new OutboxDispatcher(
    { store, clock, notifiers: notifications.notifiers, ...(keeper ? { hooks: keeper } : {}) },
    config.outbox,
  );
  let closed = false;
  return {
    policy: config.policy,
    store,
    clock,
    engine,
    outbox,
    records,
    notifierRoutes: Object.keys(notifications.notifiers),
    keeper,
    servicePorts: (target) => ports.get(target),
    async close() {
      if (closed) return;
      closed = true;
      await engine.stop();
      await records?.stop();
      await ports.close();
      if (!config.openStore) await store.close();
    },
  };
}

function keepsRecords(store: Store): store is RecordsStore {
  const s = store as Partial<RecordsStore>;
  return (
    typeof s.listRollbacksWithoutPostMortem === 'function' && typeof s.saveForensics === 'function'
  );
}

function isPostMortemStore(store: Store): store is Store & PostMortemStore {
  return typeof (store as Partial<PostMortemStore>).createPostMortem === 'function';
}

/**
 * The notifiers and the routing: given ones as they are (tests), else the policy's
 * channels built through the notifier factories, with its routes and escalation levels.
 */
function policyNotifications(
  config: AppConfig,
  cwd: string,
  clock: Clock,
): { notifiers: Record<string, Notifier>; routing?: EscalationConfig; fromPolicy?: boolean } {
  const n = config.policy?.notifications;
  const routing: EscalationConfig | undefined = n && {
    channels: Object.keys(n.channels),
    routes: n.routes,
    escalation: n.escalation ?? {},
    defaultChannels: defaultChannels(Object.keys(n.channels), n.escalation ?? {}),
  };
  if (config.notifiers) return { notifiers: config.notifiers, ...(routing ? { routing } : {}) };
  if (!n || !routing || routing.channels.length === 0) return { notifiers: {} };
  const notifiers = buildNotifiers(n.channels, {
    env: config.env ?? process.env,
    cwd,
    clock,
    ...(config.secrets ? { secrets: config.secrets } : {}),
    ...(config.dashboardUrl ? { dashboardUrl: config.dashboardUrl } : {}),
  });
  return { notifiers, routing, fromPolicy: true };
}
