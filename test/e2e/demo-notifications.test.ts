import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeGitHub } from '../helpers/fake-github.js';
import { type NotifyReceiver, startReceiver } from '../helpers/notify-receiver.js';

// `rollgate demo --scenario error-spike --notify-config notify.yaml`: the CLI as a
// subprocess, its notification channels pointed at local receivers (a Slack webhook, the
// PagerDuty Events API, a fake GitHub issues API). The rollback must reach all three, and
// PagerDuty must see its incident resolved once the post-rollback verification passed.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(repo, 'bin', 'rollgate.js');
const TOKEN = 'ghp_demo_token_0123456789';
const PD_KEY = 'R0UTINGKEY0123456789abcdef012345';

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

interface Run {
  code: number | null;
  out: string;
  lines: Record<string, unknown>[];
  stderr: string;
}

function run(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((done) => {
    child.once('exit', (code) =>
      done({
        code,
        out,
        stderr,
        lines: out
          .split('\n')
          .filter((l) => l.startsWith('{"'))
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

const bodies = (r: NotifyReceiver) =>
  r.requests.map((q) => JSON.parse(q.body) as Record<string, unknown>);

describe('rollgate demo --notify-config: real notifications to local receivers', () => {
  it('error-spike: Slack message, PagerDuty trigger then resolve, GitHub incident issue', async () => {
    const slack = await startReceiver();
    const pagerduty = await startReceiver(() => ({ status: 202, body: '{"status":"success"}' }));
    const gh = fakeGitHub(TOKEN);
    const github = await startReceiver(gh.handler);
    cleanup.push(
      () => slack.close(),
      () => pagerduty.close(),
      () => github.close(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-notify-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'notify.yaml'),
      `notifications:
  channels:
    releases:
      type: slack
      webhook: \${env:DEMO_SLACK_WEBHOOK}
    oncall:
      type: pagerduty
      routingKey: \${env:DEMO_PD_KEY}
      url: ${pagerduty.url}/v2/enqueue
    incidents:
      type: github
      repository: acme/shop
      token: \${env:DEMO_GH_TOKEN}
      apiUrl: ${github.url}
      labels: [incident, rollgate]
`,
    );
    const result = await run(
      [
        'demo',
        '--scenario',
        'error-spike',
        '--speed',
        '240',
        '--rps',
        '400',
        '--json',
        '--notify-config',
        'notify.yaml',
      ],
      dir,
      {
        DEMO_SLACK_WEBHOOK: `${slack.url}/services/T000/B000/XXXXXXXX`,
        DEMO_PD_KEY: PD_KEY,
        DEMO_GH_TOKEN: TOKEN,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = result.lines.at(-1) as Record<string, unknown> & {
      rolloutId: string;
      incident?: { id: string; status: string };
      notifications?: Record<string, number>;
    };
    expect(summary.outcome).toBe('rolled_back');
    const incidentId = `INC-${summary.rolloutId}`;
    expect(summary.incident).toEqual({ id: incidentId, status: 'resolved' });
    // On a failure, what the store says about each message is the first thing to read.
    const show = await run(
      ['incidents', 'show', incidentId, '--store', 'rollgate-demo/rollgate.db', '--json'],
      dir,
      {},
    );
    const detail = show.out + show.stderr;
    expect(summary.notifications?.dead, detail).toBe(0);
    expect(summary.notifications?.pending).toBe(0);
    // The auto-opened post-mortem's due and overdue reminders wait for their time.
    expect(summary.notifications?.scheduled).toBeGreaterThan(0);

    // Slack: Block Kit with a text fallback, for the rollback and for the incident.
    const s = bodies(slack);
    const rolledBack = s.find((b) => String(b.text).startsWith('Rolled back: payment-service'));
    expect(rolledBack).toBeDefined();
    expect(rolledBack?.text).toContain('v2.1.0');
    expect(Array.isArray(rolledBack?.blocks)).toBe(true);
    expect(JSON.stringify(rolledBack?.blocks)).toContain(summary.rolloutId);
    expect(s.some((b) => String(b.text).startsWith('Incident opened: payment-service'))).toBe(true);
    expect(s.some((b) => String(b.text).startsWith('Incident resolved'))).toBe(true);
    expect(slack.requests.every((r) => r.path === '/services/T000/B000/XXXXXXXX')).toBe(true);

    // PagerDuty Events v2: trigger(s) and a later resolve, all under the incident's dedup_key.
    const p = bodies(pagerduty);
    expect(pagerduty.requests.every((r) => r.path === '/v2/enqueue')).toBe(true);
    const triggers = p.filter((e) => e.event_action === 'trigger');
    const resolves = p.filter((e) => e.event_action === 'resolve');
    expect(triggers.length).toBeGreaterThanOrEqual(1);
    expect(resolves).toHaveLength(1);
    for (const e of [...triggers, ...resolves]) {
      expect(e.routing_key).toBe(PD_KEY);
      expect(e.dedup_key).toBe(`rollgate/${incidentId}`);
    }
    const trigger = triggers[0] as { payload: Record<string, unknown> };
    expect(trigger.payload.summary).toMatch(/^payment-service v2\.1\.0 rolled back in production/);
    expect(trigger.payload.source).toBe('rollgate/payment-service/production');
    expect(trigger.payload.severity).toBe('error');
    expect(typeof trigger.payload.timestamp).toBe('string');
    expect(p.indexOf(resolves[0] as Record<string, unknown>)).toBeGreaterThan(
      p.indexOf(trigger as unknown as Record<string, unknown>),
    );

    // GitHub: one incident issue, labelled, linking the post-mortem; later events comment.
    expect(gh.issues).toHaveLength(1);
    const issue = gh.issues[0] as { title: string; body: string; labels: string[] };
    expect(issue.title).toMatch(/Rolled back: payment-service v2\.1\.0 in production/);
    expect(issue.labels).toEqual(['incident', 'rollgate']);
    expect(issue.body).toContain(`<!-- rollgate:incident=${summary.rolloutId} -->`);
    expect(issue.body).toContain('**Post-mortem due**');
    const comments = Object.values(gh.comments).flat();
    const all = [issue.body, ...comments.map((c) => c.body)].join('\n');
    expect(all).toContain(`**Post-mortem**: \`PM-${summary.rolloutId}\``);
    expect(all).toContain(`${incidentId} Resolved`);
    for (const r of github.requests) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);

    // `rollgate incidents show`: the incident's times, in order, and its notifications.
    const shown = JSON.parse(show.out) as {
      incident: Record<string, string>;
      messages: { status: string; route: string }[];
    };
    const i = shown.incident;
    expect(i.status).toBe('resolved');
    const times = [i.startedAt, i.detectedAt, i.notifiedAt, i.mitigatedAt, i.resolvedAt];
    expect(times.every((t) => typeof t === 'string')).toBe(true);
    const [started, detected, notified, mitigated, resolved] = times.map((t) =>
      Date.parse(String(t)),
    );
    expect(started).toBeLessThanOrEqual(detected as number);
    expect(detected).toBeLessThanOrEqual(notified as number);
    expect(detected).toBeLessThanOrEqual(mitigated as number);
    expect(mitigated).toBeLessThanOrEqual(resolved as number);
    expect(i.postMortemId).toBe(`PM-${summary.rolloutId}`);
    expect(new Set(shown.messages.map((m) => m.route))).toEqual(
      new Set(['releases', 'oncall', 'incidents']),
    );
    const list = await run(['incidents', 'list', '--store', 'rollgate-demo/rollgate.db'], dir, {});
    expect(list.code).toBe(0);
    expect(list.out).toContain(incidentId);
    expect(list.out).toContain('resolved');
  }, 240_000);
});
