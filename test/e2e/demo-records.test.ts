import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlStore } from '../../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../../src/adapters/store/sqlite/sqlite-backend.js';
import type { ForensicsBundle } from '../../src/core/records/forensics.js';
import { quantile } from '../../src/core/records/latency-histogram.js';
import type { PostMortemDraft } from '../../src/core/records/post-mortem.js';
import type { PostReleaseReport } from '../../src/core/records/post-release-report.js';
import { count, isoSeconds } from '../../src/core/records/record-format.js';
import type { TimelineEvent } from '../../src/core/rollout/rollout-types.js';
import { type DemoSummary, runDemo } from '../../src/demo/run-demo.js';
import { LATENCY_BUCKETS } from '../../src/router/measurement-ring.js';

// The demo tied to its records (issue #7, "done when"): the demo runs in this process at a
// high clock speed and keeps its stack up at the end, so the test reads the built-in
// router's own Prometheus counters (GET <admin>/metrics, prom-client, independent of the
// per-second ring the metric source reads) and compares them with what the records say.

const SPEED = 240;
const RPS = 400;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? ([0-9.e+-]+|NaN|\+Inf)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

function sum(samples: Sample[], name: string, labels: Record<string, string>): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** The router's cumulative histogram of one version and route, as records hold them. */
function routerHistogram(samples: Sample[], route: string): Record<string, number> {
  const h: Record<string, number> = {};
  for (const le of [...LATENCY_BUCKETS.map(String), '+Inf']) {
    h[le] = sum(samples, 'rollgate_router_request_duration_seconds_bucket', {
      version: 'canary',
      route,
      le,
    });
  }
  return h;
}

/** Runs the demo; while its stack still runs, reads the router's /metrics. */
async function demo(scenario: 'error-spike' | 'healthy') {
  const cwd = mkdtempSync(join(tmpdir(), `rollgate-demo-records-${scenario}-`));
  dirs.push(cwd);
  const stop = new AbortController();
  let metrics = '';
  // The router's counters at the moment the rollout ended (the load goes on after it).
  let atEnd: Promise<string> | undefined;
  const summary: DemoSummary = await runDemo({
    scenario,
    speed: SPEED,
    rps: RPS,
    cwd,
    keep: true,
    signal: stop.signal,
    onProgress: (p) => {
      if (atEnd || (p.snapshot.state !== 'completed' && p.snapshot.state !== 'rolled_back')) return;
      const policy = readFileSync(join(cwd, 'rollgate-demo', 'rollgate.yaml'), 'utf8');
      const admin = /\badmin: (\S+)/.exec(policy)?.[1];
      atEnd = fetch(`http://${admin}/metrics`).then((r) => r.text());
    },
    onKept: (s) => {
      fetch(`${s.urls?.routerAdmin}/metrics`)
        .then((r) => r.text())
        .then((t) => {
          metrics = t;
        })
        .catch((err: unknown) => {
          metrics = `# could not read the router's /metrics: ${String(err)}`;
        })
        .finally(() => stop.abort());
    },
  });
  const store = new SqlStore(sqliteBackend(summary.files.store));
  const events = await store.listEvents(summary.rolloutId);
  return {
    summary,
    samples: parseProm(metrics),
    samplesAtEnd: parseProm((await atEnd) ?? ''),
    store,
    events,
    cwd,
  };
}

function fileOf(summary: DemoSummary, pattern: RegExp): string {
  const f = summary.files.records.find((p) => pattern.test(p));
  if (!f) throw new Error(`no record file ${pattern} in ${summary.files.records.join(', ')}`);
  return f;
}

describe(`rollgate demo --speed ${SPEED}: the records match the timeline and the router`, () => {
  it('error-spike: the post-mortem has every seed 001 section, the events, the router counts and the judge time', async () => {
    const { summary, samples, store, events, cwd } = await demo('error-spike');
    try {
      expect(summary.outcome).toBe('rolled_back');
      expect(summary.recordsError).toBeUndefined();

      // opened automatically, exactly once, with its forensics in the store and a folder
      const pms = await store.listPostMortems();
      expect(pms.map((p) => p.rolloutId)).toEqual([summary.rolloutId]);
      const captured = await store.getForensics(summary.rolloutId);
      const bundle = captured?.bundle as unknown as ForensicsBundle;
      expect(bundle.servedError).toBeUndefined();
      const folder = join(cwd, 'rollgate-demo', 'forensics', `v2.1.0-${summary.rolloutId}`);
      expect(existsSync(join(folder, 'metadata.json'))).toBe(true);

      const md = readFileSync(fileOf(summary, /v2\.1\.0\.md$/), 'utf8');
      const draft = JSON.parse(readFileSync(fileOf(summary, /v2\.1\.0\.json$/), 'utf8')) as Omit<
        PostMortemDraft,
        'markdown'
      >;

      // every section of seed 001, in its order
      const sections = readFileSync(
        new URL('../fixtures/seed-001-sections.txt', import.meta.url),
        'utf8',
      )
        .split('\n')
        .filter((l) => l.startsWith('#') && !l.startsWith('# '));
      let from = 0;
      for (const h of sections) {
        const at = md.indexOf(`\n${h}\n`, from);
        expect(at, `section "${h}"`).toBeGreaterThan(from);
        from = at;
      }

      // the timeline: every row is an event of the rollout, in order, in the Markdown table
      const byAt = new Map<string, TimelineEvent[]>();
      for (const e of events) byAt.set(e.at, [...(byAt.get(e.at) ?? []), e]);
      let last = '';
      for (const row of draft.timeline) {
        expect(byAt.has(row.at), `${row.at} ${row.event}`).toBe(true);
        expect(row.at >= last).toBe(true);
        last = row.at;
        expect(md).toContain(`| ${isoSeconds(row.at)} | ${row.event} |`);
      }
      for (const type of ['rollout.created', 'rollback.started', 'rollback.completed']) {
        const e = events.find((x) => x.type === type);
        expect(
          draft.timeline.some((r) => r.at === e?.at),
          type,
        ).toBe(true);
      }

      // impact: what the router counted for the bad version, request for request
      const routerRequests = sum(samples, 'rollgate_router_requests_total', { version: 'canary' });
      const routerErrors = sum(samples, 'rollgate_router_errors_total', { version: 'canary' });
      process.stdout.write(
        `error-spike: router counted ${routerRequests} requests, ${routerErrors} errors on v2.1.0; post-mortem ${draft.impact.newVersion.requests} / ${draft.impact.newVersion.errors}\n`,
      );
      expect(routerRequests).toBeGreaterThan(0);
      expect(routerErrors).toBeGreaterThan(0);
      expect(draft.impact.newVersion.requests).toBe(routerRequests);
      expect(draft.impact.newVersion.errors).toBe(routerErrors);
      expect(md).toContain(`${count(routerRequests)} requests served by v2.1.0`);
      expect(md).toContain(`${count(routerErrors)} of them errors`);

      // detection: the time of the judge's verdict that rolled back
      const rollback = events.find((e) => e.type === 'rollback.started') as TimelineEvent;
      const verdict = events
        .filter((e) => e.type === 'judge.verdict' && e.seq < rollback.seq)
        .at(-1) as TimelineEvent;
      expect(verdict.data.decision).toBe('rollback');
      expect(draft.times.detectedAt).toBe(verdict.at);
      const started = events.find((e) => e.type === 'rollout.started') as TimelineEvent;
      expect(draft.detectionSeconds).toBe((Date.parse(verdict.at) - Date.parse(started.at)) / 1000);
      expect(md).toContain(`Detected by judge rollback`);
      expect(md).toContain(isoSeconds(verdict.at));
    } finally {
      await store.close();
    }
  });

  it('healthy: the post-release report shows every endpoint p50/p95/p99 against targets, equal to the router', async () => {
    const { summary, samples, store } = await demo('healthy');
    let capture: Record<string, unknown> | undefined;
    try {
      capture = (await store.getForensics(summary.rolloutId))?.bundle;
    } finally {
      await store.close();
    }
    expect(summary.outcome).toBe('completed');
    expect(summary.recordsError).toBeUndefined();
    // captured when the rollout completed (ADR 0143), durably, with a read that worked
    expect(capture?.format).toBe('rollgate.release-capture/v1');
    expect(capture?.servedError).toBeUndefined();
    const report = JSON.parse(
      readFileSync(fileOf(summary, /post-release-report-.*\.json$/), 'utf8'),
    ) as PostReleaseReport;
    const md = readFileSync(fileOf(summary, /post-release-report-.*\.md$/), 'utf8');
    expect(report.measured.kind).toBe('whole_rollout');
    expect(md).toContain('over the whole rollout');
    const routes = ['/v1/contacts', '/v1/health', '/v1/jobs', '/v1/payment/process'];
    expect(report.endpoints.map((e) => e.route)).toEqual(routes);
    let allRequests = 0;
    let allErrors = 0;
    for (const row of report.endpoints) {
      expect(row.status === 'met' || row.status === 'missed', row.route).toBe(true);
      expect(row.targets.p95).toBeGreaterThan(0);
      expect(row.targets.p99).toBeGreaterThan(0);
      expect(md).toContain(row.route);
      // the router's own counters (prom-client, not the ring the metric source reads),
      // taken once the load had stopped with the rollout: request for request
      const labels = { version: 'canary', route: row.route };
      const requests = sum(samples, 'rollgate_router_requests_total', labels);
      const errors = sum(samples, 'rollgate_router_errors_total', labels);
      const router = routerHistogram(samples, row.route);
      process.stdout.write(
        `healthy ${row.route}: report ${row.requests} requests / ${row.errors} errors, router ${requests} / ${errors} (histogram ${router['+Inf']})\n`,
      );
      expect(requests).toBeGreaterThan(0);
      expect(row.requests, `${row.route} requests`).toBe(requests);
      expect(row.errors, `${row.route} errors`).toBe(errors);
      expect(row.errorRate).toBe(errors / requests);
      allRequests += requests;
      allErrors += errors;
      for (const q of ['p50', 'p95', 'p99'] as const) {
        const ours = row.percentiles[q] as number;
        const theirs = quantile(router, Number(q.slice(1)) / 100) as number;
        process.stdout.write(
          `healthy ${row.route} ${q}: report ${(ours * 1000).toFixed(3)} ms, router ${(theirs * 1000).toFixed(3)} ms\n`,
        );
        expect(ours, `${row.route} ${q}`).toBeGreaterThan(0);
        expect(ours, `${row.route} ${q}`).toBe(theirs);
      }
    }
    // the version as a whole: the same counters summed over the routes
    expect(report.overall.newVersion.requests).toBe(allRequests);
    expect(report.overall.newVersion.errors).toBe(allErrors);
    expect(report.overall.newVersion.requests).toBe(
      sum(samples, 'rollgate_router_requests_total', { version: 'canary' }),
    );
  });
});
