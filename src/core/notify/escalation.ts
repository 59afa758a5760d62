/**
 * Incident notifications and their escalation schedule (ADR 0171). Seed 003's levels are
 * the built-in policy's: L1 (`releases`) at once, L2 (`on-call`) after 5 min, L3
 * (`leadership`) after 15 min, each told only if the incident is still open (not yet
 * mitigated or resolved) when its time comes. Pure: incident in, outbox messages out.
 */
import type { IncidentRecord } from '../incident/incident.js';
import type { NewOutboxMessage } from '../rollout/rollout-types.js';
import { channelsFor, type RoutingConfig, routeMessage } from './notification-routing.js';

export interface EscalationLevelConfig {
  /** Seconds after the incident opened. */
  after: number;
  channels: readonly string[];
}

export interface EscalationConfig extends RoutingConfig {
  escalation: Readonly<Record<string, EscalationLevelConfig>>;
}

/** One planned incident message: who hears it, when, and as which level. */
export interface EscalationStep {
  channel: string;
  /** Seconds after the incident opened. */
  after: number;
  level?: string;
}

function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

/** When the incident counts as opened: the rollback started. */
export function openedAt(incident: IncidentRecord): string {
  const at = incident.data.rollbackStartedAt;
  return typeof at === 'string' ? at : incident.detectedAt;
}

/**
 * Who is told that an incident opened, and when: every escalation level's channels after
 * the level's delay, plus the routes that name `incident.opened` (without any routes,
 * every channel no level names is told at once). One step per channel and delay.
 */
export function escalationSchedule(config: EscalationConfig): EscalationStep[] {
  const steps: EscalationStep[] = [];
  const has = (c: string, after: number) => steps.some((s) => s.channel === c && s.after === after);
  const levels = Object.entries(config.escalation).sort((a, b) => a[1].after - b[1].after);
  for (const [level, l] of levels) {
    for (const channel of l.channels) {
      if (!has(channel, l.after)) steps.push({ channel, after: l.after, level });
    }
  }
  const named = new Set(levels.flatMap(([, l]) => l.channels));
  const routed = channelsFor('incident.opened', config);
  for (const [channel, delays] of routed) {
    if (config.routes.length === 0 && named.has(channel)) continue;
    for (const after of delays) if (!has(channel, after)) steps.push({ channel, after });
  }
  return steps.sort((a, b) => a.after - b.after || a.channel.localeCompare(b.channel));
}

/** What every incident message carries. */
export function incidentPayload(incident: IncidentRecord, at: string): Record<string, unknown> {
  return {
    incidentId: incident.id,
    rolloutId: incident.rolloutId,
    releaseId: incident.releaseId,
    service: incident.service,
    environment: incident.environment,
    version: incident.version,
    previousVersion: incident.previousVersion,
    state: incident.status,
    reason: incident.reason,
    trigger: incident.trigger,
    startedAt: incident.startedAt,
    detectedAt: incident.detectedAt,
    ...(incident.mitigatedAt ? { mitigatedAt: incident.mitigatedAt } : {}),
    ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt } : {}),
    postMortemId: incident.postMortemId,
    postMortemDueAt: incident.postMortemDueAt,
    at,
    message: `${incident.service} ${incident.version} rolled back in ${incident.environment}: ${incident.reason}`,
  };
}

/**
 * The messages of an incident that opened: L1 at once (`incident.opened`), later levels
 * as delayed `incident.escalated` messages that are cancelled if the incident is no
 * longer open when they fall due. Keys are stable: the keeper may enqueue them again.
 */
export function incidentOpenedMessages(
  incident: IncidentRecord,
  config: EscalationConfig,
): NewOutboxMessage[] {
  const at = openedAt(incident);
  const base = incidentPayload(incident, at);
  return escalationSchedule(config).map((step) => {
    const delayed = step.after > 0;
    return {
      idempotencyKey: `${incident.id}:opened:${step.channel}${delayed ? `:+${step.after}s` : ''}`,
      rolloutId: incident.rolloutId,
      route: step.channel,
      eventType: delayed ? 'incident.escalated' : 'incident.opened',
      payload: {
        ...base,
        channel: step.channel,
        ...(step.level ? { level: step.level } : {}),
        ...(delayed
          ? {
              afterSeconds: step.after,
              condition: { kind: 'incident_open', incidentId: incident.id },
              message: `still unresolved after ${Math.round(step.after / 60)} min: ${String(base.message)}`,
            }
          : {}),
      },
      ...(delayed ? { notBefore: addSeconds(at, step.after) } : {}),
    };
  });
}

/** `incident.mitigated` or `incident.resolved`, to the channels routes (or default) name. */
export function incidentChangeMessages(
  incident: IncidentRecord,
  change: 'mitigated' | 'resolved',
  at: string,
  config: RoutingConfig,
): NewOutboxMessage[] {
  return routeMessage(
    {
      idempotencyKey: `${incident.id}:${change}`,
      rolloutId: incident.rolloutId,
      route: '',
      eventType: `incident.${change}`,
      payload: {
        ...incidentPayload(incident, at),
        message:
          change === 'resolved'
            ? `incident ${incident.id} resolved: ${incident.previousVersion} verified after the rollback`
            : `incident ${incident.id} mitigated: ${incident.previousVersion} restored`,
      },
    },
    config,
  );
}
