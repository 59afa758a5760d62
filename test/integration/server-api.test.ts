import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type RollgateServer } from '../../src/server/create-server.js';
import { type ApiFixture, call, startApiServer } from '../helpers/api-server.js';

// The API on a real listening server over a real SQLite store (the records fixture:
// payments ro-230, ro-240 completed, ro-250 rolled back; a policy for `shop`), in the
// anonymous loopback mode (no token yet: requests act as admin @local).

interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads an event stream until `enough` says so (or `ms` pass); returns the messages. */
async function readStream(
  url: string,
  headers: Record<string, string>,
  enough: (messages: SseMessage[]) => boolean,
  ms = 10_000,
): Promise<{ messages: SseMessage[]; headers: Record<string, unknown>; comments: number }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const res = await request(url, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  let comments = 0;
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += chunk.toString();
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const m: SseMessage = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments += 1;
          const [k, ...v] = line.split(': ');
          if (k === 'id' || k === 'event' || k === 'data') m[k] = v.join(': ');
        }
        if (m.event) messages.push(m);
        end = buffer.indexOf('\n\n');
      }
      if (enough(messages)) break;
    }
  } catch {
    // aborted by the timer
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { messages, headers: res.headers, comments };
}

describe('the HTTP API', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiServer({
      server: {
        rateLimit: { burst: 5, perSecond: 0.5 },
        authFailureLimit: { burst: 3, perSecond: 0.1 },
        stream: { heartbeatMs: 200, pollMs: 50 },
      },
    });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('lists rollouts newest first, filtered by service and state, as RolloutSummary', async () => {
    const all = (await call(f.url, 'GET', '/api/v1/rollouts')).body as {
      rollouts: { id: string; stepCount: number; stepName: string; ageSeconds: number }[];
    };
    expect(all.rollouts.map((r) => r.id)).toEqual(['ro-250', 'ro-240', 'ro-231']);
    expect(all.rollouts[0]?.stepCount).toBeGreaterThan(0);
    expect(all.rollouts[0]?.ageSeconds).toBeGreaterThan(0);
    const rolledBack = (await call(f.url, 'GET', '/api/v1/rollouts?state=rolled_back&limit=5'))
      .body as { rollouts: { id: string }[] };
    expect(rolledBack.rollouts.map((r) => r.id)).toEqual(['ro-250']);
    const none = (await call(f.url, 'GET', '/api/v1/rollouts?service=search')).body;
    expect(none).toEqual({ rollouts: [] });
  });

  it('answers a rollout with its release, its events after a seq, and its observations', async () => {
    const one = (await call(f.url, 'GET', '/api/v1/rollouts/ro-250')).body as {
      rollout: { lastSeq: number };
      release: { version: string };
      summary: { state: string };
    };
    expect(one.release.version).toBe('v2.5.0');
    expect(one.summary.state).toBe('rolled_back');
    const events = (await call(f.url, 'GET', '/api/v1/rollouts/ro-250/events?after=2')).body as {
      events: { seq: number }[];
    };
    expect(events.events[0]?.seq).toBe(3);
    expect(events.events.at(-1)?.seq).toBe(one.rollout.lastSeq);
    const obs = (await call(f.url, 'GET', '/api/v1/rollouts/ro-250/observations')).body as {
      points: { canary: { requests: number; errorRate: number }; baseline: { requests: number } }[];
      gates: { metric: string; unit: string; label: string }[];
      verdict: { decision: string } | null;
    };
    expect(obs.points.length).toBeGreaterThan(0);
    // the latency regression of ro-250 shows as more canary requests slower than τ
    const ratio = (a: { requests: number; exceedances: number | null }) =>
      (a.exceedances ?? 0) / a.requests;
    const last = obs.points.at(-1) as unknown as Record<
      'canary' | 'baseline',
      { requests: number; exceedances: number | null }
    >;
    expect(last.baseline.exceedances).not.toBeNull();
    expect(ratio(last.canary)).toBeGreaterThan(3 * ratio(last.baseline));
    expect(obs.points[0]?.canary.requests).toBeGreaterThan(0);
    expect(obs.gates.map((g) => g.metric)).toContain('error_rate');
    expect(obs.verdict?.decision).toBe('rollback');
  });

  it('renders the records: release log, post-release report, metrics', async () => {
    const log = (await call(f.url, 'GET', '/api/v1/records/log?service=payments')).body as {
      markdown: string;
    };
    expect(log.markdown).toContain('payments');
    const report = (await call(f.url, 'GET', '/api/v1/rollouts/ro-240/report')).body as {
      markdown: string;
      json: { rolloutId: string };
    };
    expect(report.markdown).toContain('Post-Release Report');
    expect(report.markdown).toContain('<svg');
    expect(report.json.rolloutId).toBe('ro-240');
    const metrics = await call(f.url, 'GET', '/api/v1/metrics?since=4w&service=payments');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatchObject({ service: 'payments', environment: 'production' });
    const missing = await call(f.url, 'GET', '/api/v1/records/log');
    expect(missing.status).toBe(400);
    expect((missing.body as { errors: { path: string }[] }).errors[0]?.path).toBe('query.service');
  });

  it('errors are problem+json with the field path; security headers on every answer; no CORS', async () => {
    const bad = await call(f.url, 'POST', '/api/v1/rollouts/ro-250/commands', {
      body: { command: 'explode', reason: 7 },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'body.command',
      'body.reason',
    ]);
    const illegal = await call(f.url, 'POST', '/api/v1/rollouts/ro-250/commands', {
      body: { command: 'pause' },
    });
    expect(illegal.status).toBe(409);
    expect(illegal.body).toMatchObject({ code: 'illegal_command', status: 409 });
    const notJson = await call(f.url, 'POST', '/api/v1/releases', {
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });
    expect(notJson.headers['content-type']).toContain('application/problem+json');
    const missing = await call(f.url, 'GET', '/api/v1/rollouts/ro-404');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ status: 404, instance: '/api/v1/rollouts/ro-404' });
    for (const answer of [bad, missing, await call(f.url, 'GET', '/api/v1/health')]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    }
    const preflight = await request(`${f.url}/api/v1/rollouts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    await preflight.body.dump();
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('streams the timeline (SSE), resumes after Last-Event-ID, and sends a snapshot after each event', async () => {
    const release = await call(f.url, 'POST', '/api/v1/releases', {
      body: { service: 'shop', version: 'v3', type: 'patch', previousVersion: 'v2' },
    });
    expect(release.status).toBe(201);
    const id = (release.body as { rollout: { id: string } }).rollout.id;
    const url = `${f.url}/api/v1/rollouts/${id}/stream`;
    const first = await readStream(
      url,
      {},
      (m) => m.filter((x) => x.event === 'timeline').length >= 1 && m.at(-1)?.event === 'snapshot',
    );
    expect(first.headers['content-type']).toContain('text/event-stream');
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    const timeline = first.messages.filter((m) => m.event === 'timeline');
    expect(timeline.map((m) => m.id)).toEqual(['1']);
    expect(JSON.parse(timeline[0]?.data ?? '{}')).toMatchObject({ seq: 1, rolloutId: id });
    // each timeline event is followed by the rollout's summary
    const i = first.messages.indexOf(timeline[0] as SseMessage);
    expect(first.messages[i + 1]?.event).toBe('snapshot');
    expect(JSON.parse(first.messages[i + 1]?.data ?? '{}')).toMatchObject({ id, service: 'shop' });

    // an observation added while the client was away arrives on reconnect (Last-Event-ID: 1), once
    const observed = await call(f.url, 'POST', `/api/v1/rollouts/${id}/observations`, {
      body: { text: 'canary pods warm' },
    });
    expect(observed.status).toBe(201);
    expect((observed.body as { event: { actor: string } }).event.actor).toBe('@local');
    const resumed = await readStream(url, { 'last-event-id': '1' }, (m) =>
      m.some((x) => x.event === 'timeline'),
    );
    const again = resumed.messages.filter((m) => m.event === 'timeline');
    expect(again[0]?.id).toBe('2');
    expect(JSON.parse(again[0]?.data ?? '{}')).toMatchObject({
      type: 'observation.added',
      message: 'canary pods warm',
    });
    // heartbeats are comment lines
    const idle = await readStream(`${url}?after=99`, {}, () => false, 700);
    expect(idle.comments).toBeGreaterThan(0);
    await call(f.url, 'POST', `/api/v1/rollouts/${id}/commands`, { body: { command: 'abort' } });
  });

  it('rate-limits mutations per caller with 429 and Retry-After; reads are not limited', async () => {
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let n = 0; n < 8; n += 1) {
      const r = await call(f.url, 'POST', '/api/v1/rollouts/ro-231/observations', {
        body: { text: `note ${n}` },
      });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'];
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(5);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    for (let n = 0; n < 10; n += 1) {
      expect((await call(f.url, 'GET', '/api/v1/rollouts/ro-231')).status).toBe(200);
    }
  });

  it('answers 429 to an address after repeated failed token checks (each may cost a scrypt)', async () => {
    const bad = `rg_0123456789ab_${'f'.repeat(64)}`;
    const statuses: number[] = [];
    for (let n = 0; n < 5; n += 1) {
      statuses.push((await call(f.url, 'GET', '/api/v1/whoami', { token: bad })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // requests without a token (the anonymous loopback mode) are not held
    expect((await call(f.url, 'GET', '/api/v1/whoami')).status).toBe(200);
  });

  it('serves the dashboard with an SPA fallback, or a page saying it was not built', async () => {
    const notBuilt = await call(f.url, 'GET', '/rollouts/ro-250');
    expect(notBuilt.status).toBe(200);
    expect(notBuilt.text).toContain('dashboard was not built');
    const dir = join(f.storeSpec, '..', 'dashboard');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    let server: RollgateServer | undefined;
    try {
      server = await createServer(f.app, { dashboardDir: dir });
      const base = await server.listen(0);
      const spa = await call(base, 'GET', '/rollouts/ro-250?x=1');
      expect(spa.text).toContain('id="root"');
      expect(spa.headers['content-type']).toContain('text/html');
      const asset = await call(base, 'GET', '/assets/app-1234.js');
      expect(asset.headers['content-type']).toContain('javascript');
      expect(asset.headers['cache-control']).toContain('immutable');
      expect((await call(base, 'GET', '/assets/missing.js')).status).toBe(404);
      expect((await call(base, 'GET', '/..%2f..%2fetc/passwd')).text).not.toContain('root:');
      expect((await call(base, 'GET', '/api/v1/nope')).status).toBe(404);
    } finally {
      await server?.close();
    }
  });
});
