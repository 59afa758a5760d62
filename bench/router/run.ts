/**
 * Router benchmark (issue #5): built-in router vs HAProxy vs direct, 90/10 split, wrk on
 * loopback in the same run; then rollback latency (setWeight(0) until every new request
 * goes to stable) over repeated trials, for the built-in router and for HAProxy.
 *
 *   npm run bench:router
 *   BENCH_DURATION=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=64 BENCH_TRIALS=50 BENCH_RATE=500 \
 *     BENCH_CLUSTER=1 npm run bench:router
 *
 * Upstreams: two demo service processes answering /v1/health with no added latency.
 * Results: printed as Markdown and written to bench/router/last-run.json.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { BuiltinRouterAdapter } from '../../src/adapters/routers/builtin/builtin-router-adapter.js';
import { spawnDemoService } from '../../src/demo/demo-service-process.js';
import { runLoad } from '../../src/demo/load-generator.js';
import { spawnRouter } from '../../src/router/router-process.js';
import { startHaproxy } from './haproxy.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const DURATION = Number(process.env.BENCH_DURATION ?? '10');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? '64');
const TRIALS = Number(process.env.BENCH_TRIALS ?? '50');
const CLUSTER = process.env.BENCH_CLUSTER === '1';
/** Open-loop rate for the added-latency phase (well below saturation). */
const RATE = Number(process.env.BENCH_RATE ?? '500');
const PATH = '/v1/health';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

async function wrk(url: string): Promise<WrkResult> {
  const { stdout } = await run('wrk', [
    '-t2',
    `-c${CONNECTIONS}`,
    `-d${DURATION}s`,
    '--latency',
    `${url}${PATH}`,
  ]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? '0');
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    stdout,
  );
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((s, x) => s + Number(x), 0) : 0);
  return { rps, p50, p99, errors };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
};

/**
 * Latency below saturation, measured by wrk (C, so the client adds little noise): 10
 * connections each pausing BENCH_PACE_MS between requests (paced.lua), ≈ RATE req/s.
 */
async function fixedRate(url: string): Promise<{ p50: number; p99: number; failed: number }> {
  const connections = 10;
  const paceMs = Math.max(1, Math.round((connections * 1000) / RATE));
  const { stdout } = await run(
    'wrk',
    [
      '-t1',
      `-c${connections}`,
      `-d${DURATION}s`,
      '--latency',
      '-s',
      join(here, 'paced.lua'),
      `${url}${PATH}`,
    ],
    { env: { ...process.env, BENCH_PACE_MS: String(paceMs) } },
  );
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? '0');
  return {
    p50: ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    failed: non2xx,
  };
}

/**
 * One rollback trial: probes send keyless requests continuously; the latency is the time
 * from the setWeight(0) call until it returned, or until the last request sent after the
 * call that still reached the canary, whichever is later.
 */
async function rollbackTrials(
  url: string,
  set: (w: number) => Promise<void>,
  trials: number,
): Promise<number[]> {
  const pool = new Pool(url, { connections: 8 });
  const out: number[] = [];
  try {
    for (let t = 0; t < trials; t++) {
      await set(50);
      await new Promise((r) => setTimeout(r, 100));
      let stop = false;
      let t0 = Number.POSITIVE_INFINITY;
      let lastCanary = Number.NEGATIVE_INFINITY;
      const probe = async () => {
        while (!stop) {
          const sentAt = performance.now();
          const res = await pool.request({ method: 'GET', path: PATH });
          await res.body.dump();
          if (sentAt >= t0 && res.headers['x-demo-version'] === 'canary') {
            lastCanary = Math.max(lastCanary, sentAt);
          }
        }
      };
      const probes = Array.from({ length: 4 }, probe);
      await new Promise((r) => setTimeout(r, 50));
      t0 = performance.now();
      await set(0);
      const done = performance.now();
      await new Promise((r) => setTimeout(r, 150));
      stop = true;
      await Promise.all(probes);
      out.push(Math.max(done, lastCanary) - t0);
    }
  } finally {
    await pool.close();
  }
  return out;
}

/** The bench-only minimal Node proxy in front of the stable upstream. */
async function startMinimal(upstream: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'minimal-proxy.ts'), upstream],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (c: Buffer) =>
      resolve((JSON.parse(c.toString()) as { port: number }).port),
    );
    child.once('exit', (c) => reject(new Error(`minimal proxy exited ${c}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

async function main() {
  const fast = { '/v1/health': 0, '/v1/contacts': 0, '/v1/jobs': 0, '/v1/payment/process': 0 };
  // Everything started is stopped in `finally`, even when a later start fails.
  const cleanups: (() => Promise<void>)[] = [];
  const started = <T extends { stop(): Promise<void> }>(x: T): T => {
    cleanups.unshift(() => x.stop());
    return x;
  };
  try {
    const stable = started(
      await spawnDemoService({ version: 'stable', latencyMs: fast, jitter: 0 }),
    );
    const canary = started(
      await spawnDemoService({ version: 'canary', latencyMs: fast, jitter: 0 }),
    );
    const router = started(
      await spawnRouter(
        { upstreams: { stable: [stable.url], canary: [canary.url] }, weight: 10 },
        60_000,
      ),
    );
    const haproxy = started(
      await startHaproxy({
        port: await freePort(),
        stablePort: stable.port,
        canaryPort: canary.port,
        stableWeight: 90,
        canaryWeight: 10,
      }),
    );
    const cluster = CLUSTER
      ? started(
          await spawnRouter(
            { upstreams: { stable: [stable.url], canary: [canary.url] }, weight: 10, workers: 2 },
            60_000,
          ),
        )
      : undefined;
    const minimal = started(await startMinimal(stable.url));
    await measure({ stable, router, haproxy, cluster, minimal });
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

async function measure({
  stable,
  router,
  haproxy,
  cluster,
  minimal,
}: {
  stable: { url: string };
  router: { url: string; adminUrl: string };
  haproxy: Awaited<ReturnType<typeof startHaproxy>>;
  cluster: { url: string; adminUrl: string } | undefined;
  minimal: { url: string };
}) {
  const targets: Record<string, string> = {
    direct: stable.url,
    'node-minimal (reference)': minimal.url,
    haproxy: haproxy.url,
    builtin: router.url,
    ...(cluster ? { 'builtin-2-workers': cluster.url } : {}),
  };
  const results: Record<string, WrkResult[]> = {};
  {
    // Warm up every path once (JIT, connection pools).
    for (const url of Object.values(targets)) {
      await runLoad({
        url,
        rate: 500,
        count: 1000,
        users: 0,
        mix: [{ method: 'GET', path: PATH, weight: 1 }],
      });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of Object.entries(targets)) {
        const r = await wrk(url);
        results[name] = [...(results[name] ?? []), r];
        process.stderr.write(
          `round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms errors ${r.errors}\n`,
        );
      }
    }
    const fixed: Record<string, { p50: number; p99: number; failed: number }[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of Object.entries(targets)) {
        const r = await fixedRate(url);
        fixed[name] = [...(fixed[name] ?? []), r];
        process.stderr.write(
          `round ${round + 1} ${name} at ${RATE}/s: p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms failed ${r.failed}\n`,
        );
      }
    }
    const adapter = new BuiltinRouterAdapter({ adminUrl: router.adminUrl });
    const target = { service: 'bench', environment: 'loopback' };
    const background = runLoad({
      url: router.url,
      rate: 300,
      durationMs: 1e9,
      users: 0,
      signal: AbortSignal.timeout(TRIALS * 600),
    });
    const builtinRollback = await rollbackTrials(
      router.url,
      (w) => adapter.setWeight(target, w),
      TRIALS,
    );
    const clusterAdapter = cluster
      ? new BuiltinRouterAdapter({ adminUrl: cluster.adminUrl })
      : undefined;
    const clusterRollback =
      cluster && clusterAdapter
        ? await rollbackTrials(cluster.url, (w) => clusterAdapter.setWeight(target, w), TRIALS)
        : [];
    const haproxyRollback = await rollbackTrials(
      haproxy.url,
      async (w) => {
        await haproxy.command(`set weight be/canary ${w}`);
      },
      TRIALS,
    );
    await background.catch(() => undefined);

    const summary = Object.fromEntries(
      Object.entries(results).map(([k, rs]) => [
        k,
        {
          rps: median(rs.map((r) => r.rps)),
          p50: median(rs.map((r) => r.p50)),
          p99: median(rs.map((r) => r.p99)),
          errors: rs.reduce((s, r) => s + r.errors, 0),
          runs: rs,
        },
      ]),
    );
    const s = summary as Record<string, { rps: number; p50: number; p99: number; errors: number }>;
    const direct = s.direct as { rps: number; p99: number };
    const hap = s.haproxy as { rps: number; p99: number };
    const lines = [
      `| target | req/s (median of ${ROUNDS}) | p50 ms | p99 ms | added p99 vs direct ms | throughput vs HAProxy | errors |`,
      '|---|---|---|---|---|---|---|',
      ...Object.entries(s).map(
        ([k, v]) =>
          `| ${k} | ${v.rps.toFixed(0)} | ${v.p50.toFixed(2)} | ${v.p99.toFixed(2)} | ${(v.p99 - direct.p99).toFixed(2)} | ${((100 * v.rps) / hap.rps).toFixed(0)} % | ${v.errors} |`,
      ),
      '',
      `| target | paced ≈${RATE} req/s (wrk): p50 ms | p99 ms | added p99 vs direct ms | failed |`,
      '|---|---|---|---|---|',
      ...Object.entries(fixed).map(([k, rs]) => {
        const p99 = median(rs.map((r) => r.p99));
        const d = median((fixed.direct ?? []).map((r) => r.p99));
        return `| ${k} | ${median(rs.map((r) => r.p50)).toFixed(2)} | ${p99.toFixed(2)} | ${(p99 - d).toFixed(2)} | ${rs.reduce((a, r) => a + r.failed, 0)} |`;
      }),
      '',
      `| rollback (${TRIALS} trials, under ${300} req/s background load) | p50 ms | p99 ms | max ms |`,
      '|---|---|---|---|',
      `| builtin (admin API PUT /v1/weight) | ${quantile(builtinRollback, 0.5).toFixed(2)} | ${quantile(builtinRollback, 0.99).toFixed(2)} | ${Math.max(...builtinRollback).toFixed(2)} |`,
      ...(clusterRollback.length > 0
        ? [
            `| builtin, 2 workers (PUT answered after both apply it) | ${quantile(clusterRollback, 0.5).toFixed(2)} | ${quantile(clusterRollback, 0.99).toFixed(2)} | ${Math.max(...clusterRollback).toFixed(2)} |`,
          ]
        : []),
      `| haproxy (runtime API set weight) | ${quantile(haproxyRollback, 0.5).toFixed(2)} | ${quantile(haproxyRollback, 0.99).toFixed(2)} | ${Math.max(...haproxyRollback).toFixed(2)} |`,
    ];
    const md = lines.join('\n');
    process.stdout.write(`\n${md}\n`);
    writeFileSync(
      join(here, 'last-run.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          node: process.version,
          cpus: cpus().length,
          params: { DURATION, ROUNDS, CONNECTIONS, TRIALS, CLUSTER, PATH, RATE },
          summary,
          fixedRate: fixed,
          rollbackMs: {
            builtin: builtinRollback,
            cluster: clusterRollback,
            haproxy: haproxyRollback,
          },
        },
        null,
        2,
      ),
    );
  }
}

await main();
