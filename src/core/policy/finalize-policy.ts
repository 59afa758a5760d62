import { RELEASE_TYPES, type ReleaseType } from '../rollout/rollout-types.js';
import { completeGate } from './complete-gate.js';
import { missingCapability } from './metric-capabilities.js';
import type { PathSegment, RawIssue } from './policy-issue.js';
import type { PolicyFile } from './policy-schema.js';
import type {
  EnvironmentPolicy,
  Policy,
  PolicyGate,
  ServicePolicy,
  WatchWindowPolicy,
} from './policy-types.js';

/**
 * Completes and cross-checks the merged policy: every service environment has a router,
 * deployer and metrics; names refer to things that exist; gates are complete, in the
 * right unit, and on metrics their services can provide. Returns every problem at once.
 */
export function finalizePolicy(merged: PolicyFile): { policy?: Policy; issues: RawIssue[] } {
  const issues: RawIssue[] = [];
  const add = (path: PathSegment[], message: string, hint?: string) =>
    issues.push({ path, message, hint });

  const strategies = merged.strategies ?? {};
  const strategyNames = Object.keys(strategies);
  const strategyRef = (path: PathSegment[], name: string) => {
    if (!(name in strategies)) {
      add(path, `unknown strategy \`${name}\``, `defined strategies: ${strategyNames.join(', ')}`);
    }
  };

  // Watch windows, in time order.
  const watch: Record<string, WatchWindowPolicy> = {};
  for (const [name, w] of Object.entries(merged.watch ?? {}).sort(
    (a, b) => a[1].from - b[1].from,
  )) {
    watch[name] = { name, fromSeconds: w.from, toSeconds: w.to, focus: w.focus };
  }

  // Release types → strategies.
  const releaseTypes = {} as Record<ReleaseType, { strategy: string; description?: string }>;
  for (const type of RELEASE_TYPES) {
    const config = merged.releaseTypes?.[type];
    const strategy = config?.strategy ?? type;
    strategyRef(['releaseTypes', type, 'strategy'], strategy);
    releaseTypes[type] = { strategy, description: config?.description };
  }

  // Services and their environments.
  const services: Record<string, ServicePolicy> = {};
  const serviceEntries = Object.entries(merged.services ?? {});
  if (serviceEntries.length === 0) {
    add(
      ['services'],
      'the policy defines no service',
      'add one under `services:` (see `rollgate init`)',
    );
  }
  for (const [name, s] of serviceEntries) {
    const environments: Record<string, EnvironmentPolicy> = {};
    const envEntries = Object.entries(s.environments ?? { production: {} });
    if (envEntries.length === 0)
      add(['services', name, 'environments'], 'a service needs at least one environment');
    for (const [envName, env] of envEntries) {
      const router = env?.router ?? s.router;
      const deployer = env?.deployer ?? s.deployer;
      const metrics = env?.metrics ?? s.metrics;
      for (const [key, value] of [
        ['router', router],
        ['deployer', deployer],
        ['metrics', metrics],
      ] as const) {
        if (!value) {
          add(
            ['services', name, key],
            `missing \`${key}\` (environment \`${envName}\` has none either)`,
            `set \`services.${name}.${key}\` or \`services.${name}.environments.${envName}.${key}\``,
          );
        }
      }
      if (env?.strategy)
        strategyRef(['services', name, 'environments', envName, 'strategy'], env.strategy);
      if (metrics?.type === 'builtin' && router && router.type !== 'builtin') {
        add(
          ['services', name, ...(env?.metrics ? ['environments', envName] : []), 'metrics', 'type'],
          `metrics \`builtin\` are measured by the built-in router, but environment \`${envName}\` routes through \`${router.type}\``,
          'use `metrics: { type: prometheus, url: … }`, or the built-in router',
        );
      }
      if (router && deployer && metrics) {
        environments[envName] = {
          name: envName,
          router,
          deployer,
          metrics,
          strategy: env?.strategy,
        };
      }
    }
    services[name] = {
      name,
      description: s.description,
      environments,
      criticalEndpoints: s.criticalEndpoints ?? [],
      slo: s.slo ?? {},
      checks: s.checks ?? {},
    };
  }

  // Strategy steps that name checks or watch windows.
  for (const [strategyName, steps] of Object.entries(strategies)) {
    steps.forEach((step, i) => {
      if (step.type === 'checks') {
        step.checks?.forEach((check, j) => {
          const lacking = serviceEntries.filter(([, s]) => !s.checks?.[check]).map(([n]) => n);
          if (lacking.length > 0) {
            add(
              ['strategies', strategyName, i, 'checks', j],
              `unknown check \`${check}\`: service ${lacking.map((n) => `\`${n}\``).join(', ')} does not define it`,
              `define it under \`services.<name>.checks\`, or omit \`checks\` to run every check tagged \`phases: [${step.phase}]\``,
            );
          }
        });
      }
      if (step.type === 'watch') {
        step.windows?.forEach((window, j) => {
          if (!(window in watch)) {
            add(
              ['strategies', strategyName, i, 'windows', j],
              `unknown watch window \`${window}\``,
              `defined windows: ${Object.keys(watch).join(', ')}`,
            );
          }
        });
      }
    });
  }

  // Requirements verified by a check.
  for (const [id, r] of Object.entries(merged.requirements ?? {})) {
    if (!r.check) continue;
    const lacking = serviceEntries
      .filter(([, s]) => !s.checks?.[r.check as string])
      .map(([n]) => n);
    if (lacking.length > 0) {
      add(
        ['requirements', id, 'check'],
        `unknown check \`${r.check}\` in service ${lacking.join(', ')}`,
      );
    }
  }

  // Gates.
  const gates: Record<string, PolicyGate> = {};
  for (const [name, g] of Object.entries(merged.gates ?? {})) {
    const gate = completeGate(name, g, add);
    if (!gate) continue;
    gates[name] = gate;
    if (!gate.enabled || gate.optional) continue;
    for (const [serviceName, service] of Object.entries(services)) {
      if (
        gate.metric === 'endpoint_errors' &&
        !gate.endpoints?.length &&
        service.criticalEndpoints.length === 0
      )
        continue; // nothing to watch: the gate is vacuous for this service
      for (const env of Object.values(service.environments)) {
        const missing = missingCapability(env.metrics, gate.metric, gate.gauge);
        if (missing) {
          add(
            ['gates', name, gate.metric === 'gauge' ? 'gauge' : 'metric'],
            `gate \`${name}\` needs ${gate.metric === 'gauge' ? `the gauge \`${gate.gauge}\`` : `\`${gate.metric}\``}, which nothing provides for service \`${serviceName}\` (${env.name}): ${missing.reason}`,
            `${missing.fix}; or set \`gates.${name}.optional: true\` (skip where unavailable) or \`enabled: false\``,
          );
          break;
        }
      }
    }
  }

  // Notification routes name channels.
  const channels = merged.notifications?.channels ?? {};
  (merged.notifications?.routes ?? []).forEach((route, i) => {
    route.channels.forEach((channel, j) => {
      if (!(channel in channels)) {
        add(
          ['notifications', 'routes', i, 'channels', j],
          `unknown channel \`${channel}\``,
          `define it under \`notifications.channels\``,
        );
      }
    });
  });

  for (const [level, config] of Object.entries(merged.notifications?.escalation ?? {})) {
    (config.channels ?? []).forEach((channel, j) => {
      if (!(channel in channels)) {
        add(
          ['notifications', 'escalation', level, 'channels', j],
          `unknown channel \`${channel}\``,
          `define it under \`notifications.channels\``,
        );
      }
    });
  }

  const judge = merged.judge ?? {};
  const traffic = merged.traffic ?? {};
  for (const [path, value] of [
    [['judge', 'alpha'], judge.alpha],
    [['judge', 'beta'], judge.beta],
    [['judge', 'maxNoData'], judge.maxNoData],
    [['judge', 'staleAfter'], judge.staleAfter],
    [['traffic', 'minRequests'], traffic.minRequests],
    [['traffic', 'onTimeout'], traffic.onTimeout],
  ] as const) {
    if (value === undefined) add([...path], `missing \`${path.join('.')}\``);
  }

  if (issues.length > 0) return { issues };
  return {
    issues,
    policy: {
      version: 1,
      services,
      releaseTypes,
      strategies,
      gates,
      judge: {
        alpha: judge.alpha as number,
        beta: judge.beta as number,
        maxNoDataSeconds: judge.maxNoData as number,
        staleAfterSeconds: judge.staleAfter as number,
      },
      traffic: {
        minRequests: traffic.minRequests as number,
        onTimeout: traffic.onTimeout as 'promote' | 'pause' | 'rollback',
      },
      watch,
      requirements: Object.fromEntries(
        Object.entries(merged.requirements ?? {}).map(([id, r]) => [id, { id, ...r }]),
      ),
      notifications: {
        channels,
        routes: merged.notifications?.routes ?? [],
        escalation: Object.fromEntries(
          Object.entries(merged.notifications?.escalation ?? {}).map(([name, l]) => [
            name,
            { after: l.after ?? 0, channels: l.channels ?? [] },
          ]),
        ),
      },
    },
  };
}
