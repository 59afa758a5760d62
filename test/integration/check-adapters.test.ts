import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandCheck } from '../../src/adapters/checks/command/command-check.js';
import { FlowCheck } from '../../src/adapters/checks/flow/flow-check.js';
import { HttpCheck } from '../../src/adapters/checks/http/http-check.js';
import { httpProbe } from '../../src/adapters/checks/http/http-probe.js';
import { ShellCommandRunner } from '../../src/adapters/exec/shell-command-runner.js';
import { freePort } from '../helpers/real-servers.js';

const context = {
  service: 'shop',
  environment: 'staging',
  version: 'v2',
  rolloutId: 'ro-1',
  phase: 'smoke',
};

describe('checks against a real HTTP server and real scripts', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/health') {
        res.setHeader('x-arm', String(req.headers['x-rollgate-version'] ?? 'none'));
        return res.end(`{"status":"ok","version":"${url.searchParams.get('v')}"}`);
      }
      if (url.pathname === '/slow') return void setTimeout(() => res.end('late'), 300);
      if (url.pathname === '/login' && req.method === 'POST') {
        let body = '';
        req.on('data', (d) => {
          body += d;
        });
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ session: { token: `tok-${JSON.parse(body).user}` } }));
        });
        return;
      }
      if (url.pathname === '/orders') {
        if (req.headers.authorization !== 'Bearer tok-alice') {
          res.statusCode = 401;
          return res.end('no');
        }
        res.statusCode = 201;
        return res.end('{"id": 7}');
      }
      res.statusCode = 500;
      res.end('boom');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('http: status, body match, context placeholders and the route header', async () => {
    const check = new HttpCheck({
      name: 'health',
      url: `${base}/health?v={{version}}`,
      bodyMatch: '"version":"v2"',
      routeHeader: { name: 'x-rollgate-version', value: 'canary' },
    });
    const r = await check.run(context);
    expect(r).toMatchObject({ name: 'health', ok: true });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    const probe = await httpProbe({
      url: `${base}/health`,
      headers: { 'x-rollgate-version': 'canary' },
    });
    expect(probe.headers?.['x-arm']).toBe('canary');
    const wrong = await new HttpCheck({
      name: 'h',
      url: `${base}/nope`,
      expectStatus: [200, 204],
    }).run(context);
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/HTTP 500, expected 200,204/);
    const mismatch = await new HttpCheck({
      name: 'h',
      url: `${base}/health`,
      bodyMatch: 'degraded',
    }).run(context);
    expect(mismatch.ok).toBe(false);
    expect(mismatch.message).toMatch(/does not match/);
  });

  it('http: the latency ceiling and the timeout fail the check with timings', async () => {
    const slow = await new HttpCheck({ name: 's', url: `${base}/slow`, maxLatencyMs: 100 }).run(
      context,
    );
    expect(slow.ok).toBe(false);
    expect(slow.durationMs).toBeGreaterThanOrEqual(250);
    expect(slow.message).toMatch(/over the 100 ms ceiling/);
    const timeout = await new HttpCheck({ name: 't', url: `${base}/slow`, timeoutMs: 100 }).run(
      context,
    );
    expect(timeout.ok).toBe(false);
    expect(timeout.message).toMatch(/no answer within 100 ms/);
    const refused = await new HttpCheck({
      name: 'r',
      url: `http://127.0.0.1:${await freePort()}/x`,
    }).run(context);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('flow: carries values from one answer to the next, with per-step timings', async () => {
    const flow = new FlowCheck(httpProbe, {
      name: 'checkout',
      steps: [
        { name: 'login', url: `${base}/login`, method: 'POST', body: '{"user":"alice"}' },
        {
          name: 'order',
          url: `${base}/orders`,
          method: 'POST',
          headers: { authorization: 'Bearer {{steps.login.body.session.token}}' },
          expectStatus: 201,
          bodyMatch: '"id"',
        },
      ],
    });
    const r = await flow.run(context);
    expect(r.ok, r.message).toBe(true);
    expect(r.steps?.map((s) => [s.name, s.ok])).toEqual([
      ['login', true],
      ['order', true],
    ]);
    expect(r.durationMs).toBe((r.steps ?? []).reduce((n, s) => n + s.durationMs, 0));
  });

  it('flow: stops at the first failing step and names a missing value', async () => {
    const wrongToken = new FlowCheck(httpProbe, {
      name: 'checkout',
      steps: [
        { name: 'login', url: `${base}/login`, method: 'POST', body: '{"user":"bob"}' },
        {
          name: 'order',
          url: `${base}/orders`,
          method: 'POST',
          headers: { authorization: 'Bearer {{steps.login.body.session.token}}' },
          expectStatus: 201,
        },
        { name: 'never', url: `${base}/health` },
      ],
    });
    const r = await wrongToken.run(context);
    expect(r.ok).toBe(false);
    expect(r.steps?.map((s) => s.ok)).toEqual([true, false]);
    expect(r.message).toMatch(/step order failed: .*HTTP 401/);
    const missing = new FlowCheck(httpProbe, {
      name: 'x',
      steps: [
        { name: 'login', url: `${base}/login`, method: 'POST', body: '{"user":"a"}' },
        { name: 'use', url: `${base}/orders?t={{steps.login.body.nope}}` },
      ],
    });
    const m = await missing.run(context);
    expect(m.ok).toBe(false);
    expect(m.message).toMatch(/steps\.login\.body\.nope.*not in the JSON body/);
  });

  it('command: exit 0 passes, other exits fail, 75 and timeouts cannot run (retryable)', async () => {
    const runner = new ShellCommandRunner();
    const pass = await new CommandCheck(runner, {
      name: 'db',
      run: 'test "$ROLLGATE_PHASE" = smoke && echo "checked $ROLLGATE_VERSION"',
    }).run(context);
    expect(pass).toMatchObject({ ok: true, message: 'passed: checked v2' });
    const fail = await new CommandCheck(runner, { name: 'db', run: 'echo bad >&2; exit 2' }).run(
      context,
    );
    expect(fail).toMatchObject({ ok: false, message: 'failed with exit code 2: bad' });
    await expect(
      new CommandCheck(runner, { name: 'db', run: 'exit 75' }).run(context),
    ).rejects.toMatchObject({
      retryable: true,
    });
    await expect(
      new CommandCheck(runner, { name: 'db', run: 'sleep 5', timeoutMs: 200 }).run(context),
    ).rejects.toMatchObject({ code: 'timeout', retryable: true });
  });
});
