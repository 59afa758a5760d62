import {
  type NotifyOutcome,
  outcomeForNetworkError,
  outcomeForStatus,
  redactSecrets,
} from '../../../core/notify/delivery-outcome.js';
import { POST_MORTEM_DEADLINE_HOURS } from '../../../core/records/post-mortem.js';
import type { OutboxMessage } from '../../../core/rollout/rollout-types.js';
import type { DeliveryOutcome, Notifier } from '../../../ports/notifier.js';

export const GITHUB_API_URL = 'https://api.github.com';

export interface GitHubIssueNotifierOptions {
  name?: string;
  /** `owner/name`. */
  repository: string;
  /** A token allowed to read and create issues (a credential). */
  token: string;
  labels?: string[];
  /** Default https://api.github.com (GitHub Enterprise: https://HOST/api/v3). */
  apiUrl?: string;
  dashboardUrl?: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** Events that open (or add to) the rollout's incident issue; the rest are not sent. */
export const GITHUB_INCIDENT_EVENTS = [
  'rollout.rolled_back',
  'rollout.failed',
  'incident.opened',
  'incident.escalated',
  'incident.resolved',
];

/** How far back (before the message was written) the duplicate search looks. */
const SEARCH_MARGIN_MS = 60 * 60 * 1000;
const MAX_PAGES = 5;

interface Issue {
  number: number;
  body?: string | null;
  pull_request?: unknown;
}

class HttpFailure extends Error {
  constructor(readonly outcome: NotifyOutcome) {
    super(outcome.ok ? 'ok' : outcome.error);
  }
}

export const incidentMarker = (rolloutId: string) => `<!-- rollgate:incident=${rolloutId} -->`;
export const keyMarker = (key: string) => `<!-- rollgate:idempotency-key=${key} -->`;

/**
 * The incident as a GitHub issue (ADR 0102): one issue per rollout, created by
 * `POST /repos/{owner}/{repo}/issues`; hidden HTML comments carry the rollout id and the
 * message's idempotency key, and a look-up before each write makes a retry a no-op.
 */
export class GitHubIssueNotifier implements Notifier {
  readonly name: string;

  constructor(private readonly options: GitHubIssueNotifierOptions) {
    this.name = options.name ?? 'github';
  }

  private get api(): string {
    return (this.options.apiUrl ?? GITHUB_API_URL).replace(/\/+$/, '');
  }

  title(message: OutboxMessage): string {
    const p = message.payload;
    const what =
      message.eventType === 'rollout.failed'
        ? 'Rollback FAILED'
        : message.eventType === 'incident.resolved'
          ? 'Resolved'
          : 'Rolled back';
    const id = typeof p.incidentId === 'string' ? `${p.incidentId} ` : '';
    return `${id}${what}: ${String(p.service ?? '')} ${String(p.version ?? '')} in ${String(p.environment ?? '')}`;
  }

  /** The post-mortem is due 48 hours after the rollback (seed 001, Article XIII). */
  static postMortemDue(message: OutboxMessage): string {
    if (typeof message.payload.postMortemDueAt === 'string') return message.payload.postMortemDueAt;
    const at = Date.parse(String(message.payload.at ?? message.createdAt));
    return new Date(at + POST_MORTEM_DEADLINE_HOURS * 3_600_000).toISOString();
  }

  private timeline(message: OutboxMessage): string {
    const base = this.options.dashboardUrl?.replace(/\/+$/, '');
    const id = message.rolloutId ?? '';
    return base
      ? `${base}/rollouts/${encodeURIComponent(id)}`
      : `\`rollgate status ${id}\` (no dashboard URL configured)`;
  }

  body(message: OutboxMessage): string {
    const p = message.payload;
    const s = (k: string) => (p[k] === undefined || p[k] === null ? '—' : String(p[k]));
    return [
      incidentMarker(message.rolloutId ?? message.idempotencyKey),
      keyMarker(message.idempotencyKey),
      `**${this.title(message)}**`,
      '',
      `| | |`,
      `|---|---|`,
      `| Service | ${s('service')} (${s('environment')}) |`,
      `| Version | ${s('version')} (previous ${s('previousVersion')}) |`,
      `| State | ${s('state')} |`,
      `| Reason | ${p.reason === undefined ? s('message') : s('reason')} |`,
      `| At | ${s('at')} |`,
      `| Rollout | ${message.rolloutId ?? '—'} |`,
      '',
      `**Timeline**: ${this.timeline(message)}`,
      '',
      `**Post-mortem due**: ${GitHubIssueNotifier.postMortemDue(message)} (${POST_MORTEM_DEADLINE_HOURS} hours after the rollback)`,
      ...this.postMortemLink(message),
      ...this.incidentTimes(message),
    ].join('\n');
  }

  /** Where the post-mortem lives: the dashboard page, and the command that prints it. */
  private postMortemLink(message: OutboxMessage): string[] {
    const id = message.payload.postMortemId;
    if (typeof id !== 'string') return [];
    const base = this.options.dashboardUrl?.replace(/\/+$/, '');
    const link = base ? `[${id}](${base}/postmortems/${encodeURIComponent(id)})` : `\`${id}\``;
    return [
      '',
      `**Post-mortem**: ${link} — \`rollgate postmortem export ${id} > pm.md\`, fill it in, then \`rollgate postmortem complete ${id} --file pm.md\``,
    ];
  }

  private incidentTimes(message: OutboxMessage): string[] {
    const p = message.payload;
    const rows = (
      [
        ['Started', p.startedAt],
        ['Detected', p.detectedAt],
        ['Mitigated', p.mitigatedAt],
        ['Resolved', p.resolvedAt],
      ] as const
    ).filter(([, v]) => typeof v === 'string');
    if (typeof p.incidentId !== 'string' || rows.length === 0) return [];
    return ['', `**Incident ${p.incidentId}**`, ...rows.map(([k, v]) => `- ${k}: ${String(v)}`)];
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<{ json: unknown; link: string | null }> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    let res: Response;
    try {
      res = await fetch(path.startsWith('http') ? path : `${this.api}${path}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.options.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'rollgate',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new HttpFailure(outcomeForNetworkError(this.name, err, timeout.aborted));
    }
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status >= 300) {
      const limited =
        res.status === 403 &&
        (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after'));
      throw new HttpFailure(
        outcomeForStatus(
          this.name,
          limited ? 429 : res.status,
          text,
          res.headers.get('retry-after'),
        ),
      );
    }
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    return { json, link: res.headers.get('link') };
  }

  /** Issues of the repository updated since shortly before the message was written. */
  private async recentIssues(message: OutboxMessage, signal?: AbortSignal): Promise<Issue[]> {
    const since = new Date(Date.parse(message.createdAt) - SEARCH_MARGIN_MS).toISOString();
    let next: string | null =
      `/repos/${this.options.repository}/issues?state=all&since=${encodeURIComponent(since)}&per_page=100&sort=created&direction=desc`;
    const issues: Issue[] = [];
    for (let page = 0; next !== null && page < MAX_PAGES; page += 1) {
      const { json, link }: { json: unknown; link: string | null } = await this.request(
        'GET',
        next,
        undefined,
        signal,
      );
      if (Array.isArray(json)) issues.push(...(json as Issue[]).filter((i) => !i.pull_request));
      next = /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1] ?? null;
    }
    return issues;
  }

  async deliver(message: OutboxMessage, signal?: AbortSignal): Promise<DeliveryOutcome> {
    if (!GITHUB_INCIDENT_EVENTS.includes(message.eventType)) return { ok: true };
    try {
      const issues = await this.recentIssues(message, signal);
      const key = keyMarker(message.idempotencyKey);
      if (issues.some((i) => i.body?.includes(key))) return { ok: true };
      const incident = issues.find((i) =>
        i.body?.includes(incidentMarker(message.rolloutId ?? message.idempotencyKey)),
      );
      const repo = `/repos/${this.options.repository}`;
      if (incident === undefined) {
        await this.request(
          'POST',
          `${repo}/issues`,
          {
            title: this.title(message),
            body: this.body(message),
            labels: this.options.labels ?? [],
          },
          signal,
        );
        return { ok: true };
      }
      // A later event of the same incident (a failed rollback retried, say): one comment.
      const comments = await this.request(
        'GET',
        `${repo}/issues/${incident.number}/comments?per_page=100`,
        undefined,
        signal,
      );
      const seen =
        Array.isArray(comments.json) &&
        (comments.json as Issue[]).some((c) => c.body?.includes(key));
      if (!seen) {
        await this.request(
          'POST',
          `${repo}/issues/${incident.number}/comments`,
          { body: this.body(message) },
          signal,
        );
      }
      return { ok: true };
    } catch (err) {
      if (!(err instanceof HttpFailure) || err.outcome.ok) throw err;
      return { ...err.outcome, error: redactSecrets(err.outcome.error, [this.options.token]) };
    }
  }
}
