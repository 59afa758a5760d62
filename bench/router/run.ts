/**
 * Router benchmark (issue #5): built-in router vs HAProxy vs direct, 90/10 split, wrk on
 * loopback in the same run; then rollback latency (setWeight(0) until every new request
 * goes to stable) over repeated trials, for the built-in router and for HAProxy.
 *
 *   npm run bench:router
 *   BENCH_DURATION=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=64 BENCH_TRIALS=50 BENCH_RATE=500 \
 *     BENCH_CLUSTER=1 BENCH_BEFORE_DIR=/tmp/rollgate-before npm run bench:router
 *
 * BENCH_KEEP_AWAKE=0 skips the second paced phase (CPUs kept awake by SCHED_IDLE loops, ADR 0183).
 * BENCH_BEFORE_DIR: a checkout of an older commit (its `src/` and a `node_modules` link);
 * its router runs as one more target, so a change is measured against it in the same run.
 * Every throughput round also records the CPU time each process used (the proxy with its
 * workers, both upstreams, wrk), as microseconds of CPU per request.
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
import { cpuMsOfTree, waitedChildrenCpuMs } from './cpu-time.js';
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
/** Seconds per paced run: 10 s at 500 req/s puts 50 requests above the p99. */
const PACED_DURATION = Number(process.env.BENCH_PACED_DURATION ?? '10');
/** Also measure the paced phase with every CPU kept awake (ADR 0183); BENCH_KEEP_AWAKE=0 skips it. */
const KEEP_AWAKE = process.env.BENCH_KEEP_AWAKE !== '0';
/** The canary's share of keyless requests through HAProxy and the built-in router (90/10). */
const CANARY_SHARE = 0.1;
const PATH = '/v1/health';
const BEFORE_DIR = process.env.BENCH_BEFORE_DIR;

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
  /** CPU microseconds per request: the proxy (all its processes), both upstreams, wrk. */
  cpuUs?: { proxy: number; upstreams: number; wrk: number };
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
interface Paced {
  p50: number;
  p99: number;
  failed: number;
  /** The latency distribution: [percentile, ms], ascending (paced.lua's `done`). */
  quantiles: [number, number][];
}

/**
 * The quantile `q` (0–1) of a mixture of latency distributions, each given by its quantile
 * table and weight: the smallest latency at which the mixed CDF reaches `q`. This is what a
 * direct client would see sending the proxy's 90/10 split itself, the fair baseline for the
 * latency a 90/10 proxy adds (the canary upstream, on a tenth of the traffic, has its own tail).
 */
function mixtureQuantile(
  parts: { quantiles: [number, number][]; weight: number }[],
  q: number,
): number {
  const cdf = (table: [number, number][], x: number) => {
    let p = 0;
    for (const [pct, ms] of table) if (ms <= x) p = pct / 100;
    return p;
  };
  const candidates = [...new Set(parts.flatMap((d) => d.quantiles.map(([, ms]) => ms)))].sort(
    (a, b) => a - b,
  );
  for (const x of candidates) {
    if (parts.reduce((sum, d) => sum + d.weight * cdf(d.quantiles, x), 0) >= q - 1e-9) return x;
  }
  return candidates[candidates.length - 1] ?? Number.NaN;
}

/**
 * Keeps every CPU out of its idle state with one SCHED_IDLE busy loop per CPU: such a loop
 * runs only when nothing else wants the CPU and is preempted at once when a request's
 * process wakes, but the (virtual) CPU no longer halts, so a wake-up no longer pays the
 * hypervisor's or the C-state's exit latency (ADR 0183). Returns the function that stops them.
 */
function keepCpusAwake(): () => void {
  const loops = cpus().map(() =>
    spawn('chrt', ['--idle', '0', 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }),
  );
  return () => {
    for (const p of loops) p.kill('SIGKILL');
  };
}

async function pacedPhase(
  targets: Record<string, { url: string }>,
  label: string,
): Promise<Record<string, Paced[]>> {
  const fixed: Record<string, Paced[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, { url }] of Object.entries(targets)) {
      const r = await fixedRate(url);
      fixed[name] = [...(fixed[name] ?? []), r];
      process.stderr.write(
        `round ${round + 1} ${name} at ${RATE}/s (${label}): p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms failed ${r.failed}\n`,
      );
    }
    const parts = [
      { quantiles: (fixed.direct as Paced[])[round]?.quantiles ?? [], weight: 1 - CANARY_SHARE },
      {
        quantiles: (fixed[CANARY_DIRECT] as Paced[])[round]?.quantiles ?? [],
        weight: CANARY_SHARE,
      },
    ];
    fixed[MIX] = [
      ...(fixed[MIX] ?? []),
      {
        p50: mixtureQuantile(parts, 0.5),
        p99: mixtureQuantile(parts, 0.99),
        failed: 0,
        quantiles: [],
      },
    ];
  }
  return fixed;
}

function pacedTable(fixed: Record<string, Paced[]>, label: string): string[] {
  return [
    `| target | paced ≈${RATE} req/s, ${PACED_DURATION} s × ${ROUNDS} (wrk), ${label}: p50 ms | p99 ms | added p99 ms (median of the rounds' differences) | baseline | failed |`,
    '|---|---|---|---|---|---|',
    ...Object.entries(fixed).map(([k, rs]) => {
      const p99 = median(rs.map((r) => r.p99));
      const base = SPLIT_TARGETS.has(k) ? MIX : k.startsWith('direct') ? undefined : 'direct';
      const added =
        base === undefined
          ? '–'
          : median(rs.map((r, i) => r.p99 - (fixed[base]?.[i]?.p99 ?? Number.NaN))).toFixed(2);
      return `| ${k} | ${median(rs.map((r) => r.p50)).toFixed(2)} | ${p99.toFixed(2)} | ${added} | ${base ?? '–'} | ${rs.reduce((a, r) => a + r.failed, 0)} |`;
    }),
  ];
}

async function fixedRate(url: string): Promise<Paced> {
  const connections = 10;
  const paceMs = Math.max(1, Math.round((connections * 1000) / RATE));
  const { stdout } = await run(
    'wrk',
    [
      '-t1',
      `-c${connections}`,
      `-d${PACED_DURATION}s`,
      '--latency',
      '-s',
      join(here, 'paced.lua'),
      `${url}${PATH}`,
    ],
    { env: { ...process.env, BENCH_PACE_MS: String(paceMs) } },
  );
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? '0');
  const quantiles = [...stdout.matchAll(/^q ([\d.]+) (\d+)$/gm)].map(
    (m) => [Number(m[1]), Number(m[2]) / 1000] as [number, number],
  );
  return {
    p50: ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? ''),
    failed: non2xx,
    quantiles,
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

/** A bench-only reference proxy (a script printing `{"port"}`) in front of the stable upstream. */
async function startReference(script: string, upstream: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), upstream], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (c: Buffer) =>
      resolve((JSON.parse(c.toString()) as { port: number }).port),
    );
    child.once('exit', (c) => reject(new Error(`${script} exited ${c}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The router of an older checkout (BENCH_BEFORE_DIR), as a process. */
async function spawnRouterFrom(dir: string, config: object) {
  const mod = (await import(join(dir, 'src/router/router-process.ts'))) as {
    spawnRouter: typeof spawnRouter;
  };
  return mod.spawnRouter(config as never, 60_000);
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
    const upstreams = { stable: [stable.url], canary: [canary.url] };
    const cluster = CLUSTER
      ? started(await spawnRouter({ upstreams, weight: 10, workers: 2 }, 60_000))
      : undefined;
    const before = BEFORE_DIR
      ? started(await spawnRouterFrom(BEFORE_DIR, { upstreams, weight: 10 }))
      : undefined;
    const minimal = started(await startReference('minimal-proxy.ts', stable.url));
    const pipe = started(await startReference('tcp-pipe.ts', stable.url));
    await measure({ stable, canary, router, haproxy, cluster, before, minimal, pipe });
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

const CANARY_DIRECT = 'direct (canary upstream)';
const MIX = 'direct, 90/10 mix (computed)';
/** The targets that split 90/10 between the two upstreams (the others go to stable only). */
const SPLIT_TARGETS = new Set(['haproxy', 'builtin', 'builtin (before)', 'builtin-2-workers']);

interface Target {
  url: string;
  /** The proxy's process (0: none, the direct path). */
  pid: number;
}

async function measure({
  stable,
  canary,
  router,
  haproxy,
  cluster,
  before,
  minimal,
  pipe,
}: {
  stable: { url: string; pid: number };
  canary: { url: string; pid: number };
  router: { url: string; adminUrl: string; pid: number };
  haproxy: Awaited<ReturnType<typeof startHaproxy>>;
  cluster: { url: string; adminUrl: string; pid: number } | undefined;
  before: { url: string; adminUrl: string; pid: number } | undefined;
  minimal: Target;
  pipe: Target;
}) {
  const targets: Record<string, Target> = {
    direct: { url: stable.url, pid: 0 },
    'tcp-pipe (reference, no HTTP)': pipe,
    'node-minimal (reference)': minimal,
    haproxy: haproxy,
    builtin: router,
    ...(before ? { 'builtin (before)': before } : {}),
    ...(cluster ? { 'builtin-2-workers': cluster } : {}),
  };
  /** wrk against one target, with the CPU each process used meanwhile. */
  const measured = async (t: Target): Promise<WrkResult> => {
    const cpu = () => ({
      proxy: t.pid > 0 ? cpuMsOfTree(t.pid) : 0,
      upstreams: cpuMsOfTree(stable.pid) + cpuMsOfTree(canary.pid),
      wrk: waitedChildrenCpuMs(),
    });
    const c0 = cpu();
    const r = await wrk(t.url);
    const c1 = cpu();
    const n = r.rps * DURATION;
    const us = (a: number, b: number) => ((b - a) * 1000) / n;
    return {
      ...r,
      cpuUs: {
        proxy: us(c0.proxy, c1.proxy),
        upstreams: us(c0.upstreams, c1.upstreams),
        wrk: us(c0.wrk, c1.wrk),
      },
    };
  };
  const results: Record<string, WrkResult[]> = {};
  {
    // Warm up every path once (JIT, connection pools).
    for (const { url } of Object.values(targets)) {
      await runLoad({
        url,
        rate: 500,
        count: 1000,
        users: 0,
        mix: [{ method: 'GET', path: PATH, weight: 1 }],
      });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, t] of Object.entries(targets)) {
        const r = await measured(t);
        results[name] = [...(results[name] ?? []), r];
        process.stderr.write(
          `round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s p99 ${r.p99} ms errors ${r.errors} cpu µs/req ${JSON.stringify(r.cpuUs, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}\n`,
        );
      }
    }
    // Paced: every target, plus the canary upstream directly, so that the 90/10 proxies are
    // compared with the 90/10 mixture of the two direct distributions of the same round.
    // Twice: as the machine is, then with its CPUs kept awake (ADR 0183).
    const { direct: directTarget, ...proxies } = targets;
    const pacedTargets: Record<string, { url: string }> = {
      direct: directTarget as Target,
      [CANARY_DIRECT]: { url: canary.url },
      ...proxies,
    };
    const fixed = await pacedPhase(pacedTargets, 'idle CPUs');
    const stopSpinners = KEEP_AWAKE ? keepCpusAwake() : undefined;
    const fixedAwake = stopSpinners
      ? await pacedPhase(pacedTargets, 'CPUs kept awake').finally(stopSpinners)
      : undefined;
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
    const beforeAdapter = before
      ? new BuiltinRouterAdapter({ adminUrl: before.adminUrl })
      : undefined;
    const beforeRollback =
      before && beforeAdapter
        ? await rollbackTrials(before.url, (w) => beforeAdapter.setWeight(target, w), TRIALS)
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
          cpuUs: {
            proxy: median(rs.map((r) => r.cpuUs?.proxy ?? 0)),
            upstreams: median(rs.map((r) => r.cpuUs?.upstreams ?? 0)),
            wrk: median(rs.map((r) => r.cpuUs?.wrk ?? 0)),
          },
          runs: rs,
        },
      ]),
    );
    const s = summary as Record<
      string,
      {
        rps: number;
        p50: number;
        p99: number;
        errors: number;
        cpuUs: { proxy: number; upstreams: number; wrk: number };
      }
    >;
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
      '| target | CPU µs per request: proxy | upstreams | wrk | total | requests per proxy CPU-second |',
      '|---|---|---|---|---|---|',
      ...Object.entries(s).map(([k, v]) => {
        const c = v.cpuUs;
        const perSecond = c.proxy > 0 ? (1e6 / c.proxy).toFixed(0) : '–';
        return `| ${k} | ${c.proxy.toFixed(0)} | ${c.upstreams.toFixed(0)} | ${c.wrk.toFixed(0)} | ${(c.proxy + c.upstreams + c.wrk).toFixed(0)} | ${perSecond} |`;
      }),
      '',
      ...pacedTable(fixed, 'idle CPUs'),
      '',
      ...(fixedAwake ? [...pacedTable(fixedAwake, 'CPUs kept awake'), ''] : []),
      `| rollback (${TRIALS} trials, under ${300} req/s background load) | p50 ms | p99 ms | max ms |`,
      '|---|---|---|---|',
      `| builtin (admin API PUT /v1/weight) | ${quantile(builtinRollback, 0.5).toFixed(2)} | ${quantile(builtinRollback, 0.99).toFixed(2)} | ${Math.max(...builtinRollback).toFixed(2)} |`,
      ...(clusterRollback.length > 0
        ? [
            `| builtin, 2 workers (PUT answered after both apply it) | ${quantile(clusterRollback, 0.5).toFixed(2)} | ${quantile(clusterRollback, 0.99).toFixed(2)} | ${Math.max(...clusterRollback).toFixed(2)} |`,
          ]
        : []),
      ...(beforeRollback.length > 0
        ? [
            `| builtin (before) | ${quantile(beforeRollback, 0.5).toFixed(2)} | ${quantile(beforeRollback, 0.99).toFixed(2)} | ${Math.max(...beforeRollback).toFixed(2)} |`,
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
          params: { DURATION, ROUNDS, CONNECTIONS, TRIALS, CLUSTER, PATH, RATE, BEFORE_DIR },
          summary,
          fixedRate: fixed,
          fixedRateCpusAwake: fixedAwake,
          rollbackMs: {
            builtin: builtinRollback,
            cluster: clusterRollback,
            before: beforeRollback,
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
