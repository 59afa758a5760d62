/**
 * The risk register (seed 003's risk–incident sync): risks with likelihood, impact, owner,
 * status, linked services, a review date and an append-only history. A rollback of a linked
 * service adds a history entry to each open risk and brings its review date forward
 * (ADR 0142). Pure data and pure rules; the store keeps them (ports/risk-store.ts).
 */
import { RollgateError } from '../errors/rollgate-error.js';
import { NAME_PATTERN } from '../policy/schema-primitives.js';

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const RISK_STATUSES = ['open', 'mitigating', 'accepted', 'closed'] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];

export const RISK_ENTRY_KINDS = ['created', 'updated', 'rollback'] as const;
export type RiskEntryKind = (typeof RISK_ENTRY_KINDS)[number];

export interface RiskHistoryEntry {
  at: string;
  /** `@person` or `rollgate`. */
  actor: string;
  kind: RiskEntryKind;
  text: string;
  /** The rollout a rollback entry comes from (one entry per risk and rollout). */
  rolloutId?: string;
  /** Field → [before, after] for updates. */
  changes?: Record<string, [unknown, unknown]>;
}

export interface Risk {
  id: string;
  title: string;
  likelihood: RiskLevel;
  impact: RiskLevel;
  owner: string;
  status: RiskStatus;
  /** Services whose rollbacks this risk follows. */
  services: string[];
  /** Next review, YYYY-MM-DD. */
  reviewOn: string;
  createdAt: string;
  updatedAt: string;
  /** Oldest first. */
  history: RiskHistoryEntry[];
}

export interface NewRisk {
  /** Default: the next free `RISK-<n>`. */
  id?: string;
  title: string;
  likelihood: RiskLevel;
  impact: RiskLevel;
  owner: string;
  status?: RiskStatus;
  services: string[];
  /** Default: reviewDays(likelihood, impact) after creation. */
  reviewOn?: string;
}

export interface RiskChange {
  title?: string;
  likelihood?: RiskLevel;
  impact?: RiskLevel;
  owner?: string;
  status?: RiskStatus;
  services?: string[];
  reviewOn?: string;
}

/** 1 (low) … 9 (high × high): the order `risk list` prints. */
export function riskScore(r: Pick<Risk, 'likelihood' | 'impact'>): number {
  return (RISK_LEVELS.indexOf(r.likelihood) + 1) * (RISK_LEVELS.indexOf(r.impact) + 1);
}

/** Days to the first review of a new risk: 90 for a low score, 30 for a medium, 7 for a high. */
export function reviewDays(r: Pick<Risk, 'likelihood' | 'impact'>): number {
  const score = riskScore(r);
  return score >= 6 ? 7 : score >= 3 ? 30 : 90;
}

/** Days after a rollback by which a linked risk must be reviewed (its date never moves later). */
export const ROLLBACK_REVIEW_DAYS = 7;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const RISK_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const OWNER = /^@[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A service name as the policy accepts it (schema-primitives.ts NAME_PATTERN). */
const SERVICE = NAME_PATTERN;

export function addDays(day: string, days: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The review date after a rollback on `day`: brought forward to `day + days`, never later. */
export function reviewAfterRollback(current: string, day: string, days = ROLLBACK_REVIEW_DAYS) {
  const due = addDays(day, days);
  return due < current ? due : current;
}

function bad(where: string, message: string, hint: string): RollgateError {
  return new RollgateError('invalid_input', `${where}: ${message}`, { hint });
}

function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  where: string,
  field: string,
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
    return value as T;
  throw bad(
    where,
    `${field} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
    `use --${field} ${allowed.join('|')}`,
  );
}

export function checkDay(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(value))) {
    throw bad(where, `${field} ${JSON.stringify(value)} is not a date`, 'write it as YYYY-MM-DD');
  }
  return value;
}

function checkText(value: unknown, where: string, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw bad(
      where,
      `${field} must be non-empty text of at most ${max} characters`,
      `give --${field} a value`,
    );
  }
  return value.trim();
}

function checkOwner(value: unknown, where: string): string {
  if (typeof value !== 'string' || !OWNER.test(value)) {
    throw bad(where, `owner ${JSON.stringify(value)} is not an @name`, 'use --owner @sre-team');
  }
  return value;
}

function checkServices(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw bad(where, 'a risk needs at least one linked service', 'add --service <name>');
  }
  for (const s of value) {
    if (typeof s !== 'string' || !SERVICE.test(s)) {
      throw bad(
        where,
        `service ${JSON.stringify(s)} is not a service name (letters, digits, ., _ or -)`,
        'use the service name as in rollgate.yaml, e.g. --service payments',
      );
    }
  }
  return [...new Set(value as string[])].sort();
}

export function checkRiskId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !RISK_ID.test(value)) {
    throw bad(
      where,
      `risk id ${JSON.stringify(value)} is not valid`,
      'ids start with a letter and hold letters, digits, - and _ (e.g. RISK-3); list them with: rollgate risk list',
    );
  }
  return value;
}

/** A new risk, validated and completed with its defaults. */
export function checkNewRisk(input: NewRisk, where: string, today: string): Required<NewRisk> {
  const likelihood = oneOf(input.likelihood, RISK_LEVELS, where, 'likelihood');
  const impact = oneOf(input.impact, RISK_LEVELS, where, 'impact');
  return {
    id: input.id === undefined ? '' : checkRiskId(input.id, where),
    title: checkText(input.title, where, 'title', 200),
    likelihood,
    impact,
    owner: checkOwner(input.owner, where),
    status:
      input.status === undefined ? 'open' : oneOf(input.status, RISK_STATUSES, where, 'status'),
    services: checkServices(input.services, where),
    reviewOn:
      input.reviewOn === undefined
        ? addDays(today, reviewDays({ likelihood, impact }))
        : checkDay(input.reviewOn, where, 'review'),
  };
}

/** A change, validated; refuses an empty one. */
export function checkRiskChange(change: RiskChange, where: string): RiskChange {
  const out: RiskChange = {};
  if (change.title !== undefined) out.title = checkText(change.title, where, 'title', 200);
  if (change.likelihood !== undefined)
    out.likelihood = oneOf(change.likelihood, RISK_LEVELS, where, 'likelihood');
  if (change.impact !== undefined) out.impact = oneOf(change.impact, RISK_LEVELS, where, 'impact');
  if (change.owner !== undefined) out.owner = checkOwner(change.owner, where);
  if (change.status !== undefined)
    out.status = oneOf(change.status, RISK_STATUSES, where, 'status');
  if (change.services !== undefined) out.services = checkServices(change.services, where);
  if (change.reviewOn !== undefined) out.reviewOn = checkDay(change.reviewOn, where, 'review');
  if (Object.keys(out).length === 0) {
    throw bad(
      where,
      'nothing to change',
      'pass at least one of --title, --likelihood, --impact, --owner, --status, --service, --review',
    );
  }
  return out;
}

/** Field → [before, after] of the fields a change really changes. */
export function riskDiff(r: Risk, change: RiskChange): Record<string, [unknown, unknown]> {
  const diff: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(change)) {
    const before = r[k as keyof RiskChange];
    if (JSON.stringify(before) !== JSON.stringify(v)) diff[k] = [before, v];
  }
  return diff;
}
