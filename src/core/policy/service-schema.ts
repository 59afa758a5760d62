import { z } from 'zod';
import {
  credentialMap,
  Duration,
  Headers,
  HostPort,
  HttpUrl,
  Name,
  NonEmpty,
  Percent,
  SecretRef,
} from './schema-primitives.js';

/**
 * A service: where its traffic is split (router), how a version is put in place
 * (deployer), where its measurements come from (metrics), its checks and its SLOs.
 * Settings are validated strictly per `type`. Commands are shell command lines with
 * placeholders `{service}`, `{environment}`, `{version}`, `{previousVersion}`,
 * `{target}` (canary | stable) and `{weight}` (routers).
 */

// ---- routers ---------------------------------------------------------------------------

export const ROUTER_TYPES = ['builtin', 'haproxy', 'nginx', 'command', 'gateway-api'] as const;

const BuiltinRouter = z.strictObject({
  type: z.literal('builtin'),
  /** Where the built-in proxy listens. */
  listen: HostPort,
  stable: HttpUrl,
  canary: HttpUrl,
  overrideHeader: z.string().optional(),
  /** The router's admin API (host:port), where rollgate sets the weight and reads measurements. */
  admin: HostPort.optional(),
});

const HaproxyRouter = z.strictObject({
  type: z.literal('haproxy'),
  /** The runtime API: a unix socket path or host:port. */
  runtimeApi: NonEmpty,
  backend: NonEmpty,
  stableServer: NonEmpty,
  canaryServer: NonEmpty,
  /** Sum of the two absolute server weights (at most 256); 200 gives steps of 0.5 %. */
  totalWeight: z.number().int().min(1).max(256).optional(),
  /** The header haproxy.cfg routes on with `use-server` (default `x-rollgate-version`). */
  overrideHeader: NonEmpty.optional(),
  timeout: Duration.optional(),
});

const NginxRouter = z.strictObject({
  type: z.literal('nginx'),
  /** The file rollgate rewrites with the split (an `upstream` block with weights). */
  configFile: NonEmpty,
  upstream: NonEmpty,
  stable: HostPort,
  canary: HostPort,
  /** Validates the whole configuration before a reload (default `nginx -t`). */
  testCommand: NonEmpty.optional(),
  reloadCommand: NonEmpty.optional(),
  /** `hash <key> consistent;` in the upstream, for sticky users (e.g. `$rollgate_unit_key`). */
  hashKey: NonEmpty.optional(),
  totalWeight: z.number().int().min(1).max(1000).optional(),
  overrideHeader: NonEmpty.optional(),
  timeout: Duration.optional(),
});

const CommandRouter = z.strictObject({
  type: z.literal('command'),
  setWeight: NonEmpty,
  getWeight: NonEmpty,
  timeout: Duration.optional(),
  cwd: NonEmpty.optional(),
  env: credentialMap('environment variable').optional(),
  /** The header your proxy honours to reach the canary directly. */
  overrideHeader: NonEmpty.optional(),
});

const GatewayApiRouter = z.strictObject({
  type: z.literal('gateway-api'),
  namespace: NonEmpty,
  httpRoute: NonEmpty,
  stableBackend: NonEmpty,
  canaryBackend: NonEmpty,
  kubeconfig: NonEmpty.optional(),
  context: NonEmpty.optional(),
});

export const RouterConfig = z.discriminatedUnion('type', [
  BuiltinRouter,
  HaproxyRouter,
  NginxRouter,
  CommandRouter,
  GatewayApiRouter,
]);
export type RouterConfig = z.output<typeof RouterConfig>;

// ---- deployers -------------------------------------------------------------------------

export const DEPLOYER_TYPES = ['command', 'local', 'kubernetes'] as const;

const CommandDeployer = z.strictObject({
  type: z.literal('command'),
  deploy: NonEmpty,
  rollback: NonEmpty,
  timeout: Duration.optional(),
  cwd: NonEmpty.optional(),
  /** Extra environment for the commands; credential-like names need secret references. */
  env: credentialMap('environment variable').optional(),
});

const LocalDeployer = z.strictObject({
  type: z.literal('local'),
  /** Starts one version; `{port}` and `{version}` are filled in. */
  command: NonEmpty,
  cwd: NonEmpty.optional(),
  healthPath: z.string().startsWith('/').optional(),
});

const KubernetesDeployer = z.strictObject({
  type: z.literal('kubernetes'),
  namespace: NonEmpty,
  stableDeployment: NonEmpty,
  canaryDeployment: NonEmpty,
  container: NonEmpty,
  /** Image reference with `{version}`, e.g. `registry.example.com/payments:{version}`. */
  image: z
    .string()
    .includes('{version}', { error: 'expected an image reference containing `{version}`' }),
  kubeconfig: NonEmpty.optional(),
  context: NonEmpty.optional(),
  rolloutTimeout: Duration.optional(),
});

export const DeployerConfig = z.discriminatedUnion('type', [
  CommandDeployer,
  LocalDeployer,
  KubernetesDeployer,
]);
export type DeployerConfig = z.output<typeof DeployerConfig>;

// ---- metric sources --------------------------------------------------------------------

export const METRICS_TYPES = ['builtin', 'prometheus'] as const;

const BuiltinMetrics = z.strictObject({
  type: z.literal('builtin'),
  /**
   * Gauges the upstreams report in `x-rollgate-gauge-<name>` response headers (fractions
   * 0..1, e.g. `memory`), averaged per version by the router; gauge gates can use them.
   */
  gauges: z.array(Name).optional(),
});

const PrometheusMetrics = z.strictObject({
  type: z.literal('prometheus'),
  url: HttpUrl,
  bearerToken: SecretRef.optional(),
  basicAuth: z.strictObject({ username: NonEmpty, password: SecretRef }).optional(),
  /** Extra request headers (tenant ids; credential-like names need secret references). */
  headers: Headers.optional(),
  /** Label that tells the versions apart (default `version`). */
  versionLabel: NonEmpty.optional(),
  /** The version label's values for the two arms (default `stable` and `canary`). */
  armValues: z.strictObject({ baseline: NonEmpty, canary: NonEmpty }).optional(),
  /** Label matchers for the service, `{selector}` without the version (default `service="{service}",environment="{environment}"`). */
  selector: z.string().optional(),
  /** Label that carries the route; without it per-endpoint gates cannot be evaluated. */
  endpointLabel: NonEmpty.optional(),
  /** PromQL templates; `{selector}` expands to service, environment and version labels. */
  queries: z
    .strictObject({
      requests: NonEmpty.optional(),
      errors: NonEmpty.optional(),
      latencyBuckets: NonEmpty.optional(),
      /** Gauges as fractions 0..1, e.g. `memory: container_memory_working_set_bytes / …`. */
      gauges: z.record(Name, NonEmpty).optional(),
    })
    .optional(),
  step: Duration.optional(),
  timeout: Duration.optional(),
});

export const MetricsConfig = z.discriminatedUnion('type', [BuiltinMetrics, PrometheusMetrics]);
export type MetricsConfig = z.output<typeof MetricsConfig>;

// ---- checks ----------------------------------------------------------------------------

export const CHECK_PHASES = ['preflight', 'smoke', 'verification'] as const;

const ExpectStatus = z.union(
  [z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)],
  {
    error: 'expected an HTTP status (200) or a list of them ([200, 204])',
  },
);

const HttpRequest = {
  url: HttpUrl,
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).optional(),
  headers: Headers.optional(),
  body: z.string().optional(),
  expectStatus: ExpectStatus.optional(),
  /** Latency ceiling: slower is a failure. */
  maxLatency: Duration.optional(),
  /** A regular expression the body must match. */
  bodyMatch: z.string().optional(),
  timeout: Duration.optional(),
};

const Phases = z.array(Name).min(1).optional();

const HttpCheck = z.strictObject({
  type: z.literal('http'),
  ...HttpRequest,
  phases: Phases,
  /** Which version to reach: the canary (through the router's override header) or stable. */
  target: z.enum(['canary', 'stable']).optional(),
});

const CommandCheck = z.strictObject({
  type: z.literal('command'),
  run: NonEmpty,
  timeout: Duration.optional(),
  cwd: NonEmpty.optional(),
  env: credentialMap('environment variable').optional(),
  phases: Phases,
});

const FlowCheck = z.strictObject({
  type: z.literal('flow'),
  steps: z.array(z.strictObject({ name: NonEmpty, ...HttpRequest })).min(1),
  phases: Phases,
  target: z.enum(['canary', 'stable']).optional(),
});

export const CheckConfig = z.discriminatedUnion('type', [HttpCheck, CommandCheck, FlowCheck]);
export type CheckConfig = z.output<typeof CheckConfig>;

// ---- SLOs and the service --------------------------------------------------------------

export const SloTarget = z.strictObject({
  p95: Duration.optional(),
  p99: Duration.optional(),
  errorRate: Percent.optional(),
});

const EnvironmentConfig = z.strictObject({
  /** Replace the service's router / deployer / metrics in this environment. */
  router: RouterConfig.optional(),
  deployer: DeployerConfig.optional(),
  metrics: MetricsConfig.optional(),
  /** Use this strategy for every release type here (e.g. `direct` in staging). */
  strategy: Name.optional(),
});

export const ServiceConfig = z.strictObject({
  description: z.string().optional(),
  /** Environment name → overrides (an empty map `{}` keeps the service's settings). */
  environments: z.record(Name, EnvironmentConfig.nullable()).optional(),
  router: RouterConfig.optional(),
  deployer: DeployerConfig.optional(),
  metrics: MetricsConfig.optional(),
  /** Routes where any 5xx rolls back (seed 003). */
  criticalEndpoints: z
    .array(z.string().startsWith('/', { error: 'expected a route starting with `/`' }))
    .optional(),
  /** Route → latency and error-rate targets (seed 004's per-endpoint table). */
  slo: z
    .record(z.string().startsWith('/', { error: 'expected a route starting with `/`' }), SloTarget)
    .optional(),
  checks: z.record(Name, CheckConfig).optional(),
});
export type ServiceFile = z.output<typeof ServiceConfig>;
