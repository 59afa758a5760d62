// `npm run bench:api`: the API's status endpoint (GET /api/v1/rollouts/:id, with a viewer
// token) under load on loopback, measured by wrk: throughput and p99, per round, plus the
// health endpoint (no auth, no store rows to serialise) as the floor. Writes
// bench/RESULTS-api.md (and prints it). Environment: BENCH_DURATION (s, default 10),
// BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_THREADS (2).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SqlStore } from '../src/adapters/store/sql/sql-store.js';
import { sqliteBackend } from '../src/adapters/store/sqlite/sqlite-backend.js';
import { createApp } from '../src/app.js';
import { VERSION } from '../src/cli/version.js';
import type { Release } from '../src/core/rollout/rollout-types.js';
import { createApiToken } from '../src/server/api-tokens.js';
import { createServer } from '../src/server/create-server.js';
import { seedSqlStore } from '../test/integration/records-cli-fixture.js';

const duration = Number(process.env.BENCH_DURATION ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const WRK = '/usr/bin/wrk';
// Async: the server answers from this process's event loop while wrk runs.
const run = promisify(execFile);

interface Run {
  target: string;
  round: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrk(url: string, headers: string[]): Promise<Omit<Run, 'target' | 'round'>> {
  const args = [`-t${threads}`, `-c${connections}`, `-d${duration}s`, '--latency'];
  for (const h of headers) args.push('-H', h);
  const { stdout: out } = await run(WRK, [...args, url], {
    encoding: 'utf8',
    timeout: (duration + 30) * 1000,
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socket ? socket.slice(1).reduce((s, n) => s + Number(n), 0) : 0);
  return { rps, p50ms: p50, p99ms: p99, errors };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'rollgate-bench-api-'));
const storePath = join(dir, 'rollgate.db');
await seedSqlStore(new SqlStore(sqliteBackend(storePath)));
const app = await createApp({ store: storePath, cwd: dir });
await app.engine.stop();
// The fixture replays timelines only; a real start also writes the release row.
for (const r of await app.store.listRollouts()) {
  const [created] = await app.store.listEvents(r.id, 0);
  const release = created?.data.release as Release | undefined;
  if (release && !(await app.store.getRelease(release.id))) await app.store.createRelease(release);
}
const { token } = await createApiToken(app.store as SqlStore, {
  name: 'bench',
  role: 'viewer',
  createdBy: '@bench',
  now: new Date().toISOString(),
});
const server = await createServer(app, { version: VERSION });
const base = await server.listen(0);
const runs: Run[] = [];
const loadBefore = loadavg();
try {
  const auth = [`Authorization: Bearer ${token}`];
  // warm-up (JIT, the token's scrypt check, SQLite page cache)
  await run(WRK, ['-t1', '-c4', '-d2s', '-H', auth[0] as string, `${base}/api/v1/rollouts/ro-250`]);
  for (let round = 1; round <= rounds; round += 1) {
    runs.push({ target: 'status', round, ...(await wrk(`${base}/api/v1/rollouts/ro-250`, auth)) });
    runs.push({ target: 'health', round, ...(await wrk(`${base}/api/v1/health`, [])) });
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
} finally {
  await server.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg();

const command = `BENCH_DURATION=${duration} BENCH_ROUNDS=${rounds} BENCH_CONNECTIONS=${connections} BENCH_THREADS=${threads} npm run bench:api`;
const summary = (target: string) => {
  const rs = runs.filter((r) => r.target === target);
  return {
    rps: median(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50ms)),
    p99: median(rs.map((r) => r.p99ms)),
    errors: rs.reduce((s, r) => s + r.errors, 0),
  };
};
const status = summary('status');
const health = summary('health');
const f = (n: number, d = 1) => n.toFixed(d);
const md = `# API benchmark results

Command:

\`\`\`sh
${command}
\`\`\`

Source: \`bench/api.ts\`. Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

## What is measured

- \`rollgate server\`'s Fastify app (\`createServer\`) in the bench process, on 127.0.0.1, over a
  SQLite store holding the records fixture (three rollouts of \`payments\`, ~60 events each).
- **status**: \`GET /api/v1/rollouts/ro-250\` with a viewer token: authenticates the token
  (one indexed read of its row per request, so revocation is immediate; the scrypt check
  is cached after the first request), reads the rollout snapshot (full plan) and its
  release, serialises ~10 kB of JSON.
- **health**: \`GET /api/v1/health\` (no auth; one \`listRollouts(limit 1)\` query): the floor.
- Load: \`wrk -t${threads} -c${connections} -d${duration}s --latency\`, ${rounds} rounds alternating
  the two targets, after a 2 s warm-up; figures are medians over rounds.

## Setup

- ${cpus().length} vCPUs, Node ${process.version}, wrk 4.1.0; everything on 127.0.0.1.
- **Shared machine**: load average ${loadBefore.map((l) => f(l)).join(' / ')} before, ${loadAfter
  .map((l) => f(l))
  .join(' / ')} after (1/5/15 min). Other build jobs ran at the same time; read the figures
  as an order of magnitude, not a capacity plan.

## Results (medians of ${rounds} rounds)

| target | throughput (req/s) | p50 (ms) | p99 (ms) | errors (non-2xx + socket) |
|---|---:|---:|---:|---:|
| status (token) | ${f(status.rps, 0)} | ${f(status.p50, 2)} | ${f(status.p99, 2)} | ${status.errors} |
| health (floor) | ${f(health.rps, 0)} | ${f(health.p50, 2)} | ${f(health.p99, 2)} | ${health.errors} |

Per round:

| target | round | req/s | p50 (ms) | p99 (ms) | errors |
|---|---:|---:|---:|---:|---:|
${runs.map((r) => `| ${r.target} | ${r.round} | ${f(r.rps, 0)} | ${f(r.p50ms, 2)} | ${f(r.p99ms, 2)} | ${r.errors} |`).join('\n')}
`;
const target = join(dirname(fileURLToPath(import.meta.url)), 'RESULTS-api.md');
writeFileSync(target, md);
process.stdout.write(md);
