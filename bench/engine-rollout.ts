/**
 * How long the engine takes, in wall time, to run full rollouts on a virtual clock with
 * fakes (every batch judged, every event committed to the in-memory store).
 *
 * Reproduce:  npx tsx bench/engine-rollout.ts [runs=5]
 * Prints one line per release type: virtual minutes, events, median and max wall ms, and
 * median CPU ms (the figure that holds on a busy machine).
 */
import { performance } from 'node:perf_hooks';
import type { ReleaseType } from '../src/core/rollout/rollout-types.js';
import { EngineHarness } from '../test/fakes/engine-harness.js';
import { PLANS, release } from '../test/fakes/plans.js';

const runs = Number(process.argv[2] ?? 5);

async function once(
  type: ReleaseType,
): Promise<{ wallMs: number; cpuMs: number; minutes: number; events: number }> {
  const h = new EngineHarness();
  const t0 = h.clock.now();
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const { id } = await h.start(release(type), PLANS[type]());
  const end = await h.complete(id);
  const wallMs = performance.now() - wall;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  if (end.state !== 'completed') throw new Error(`${type} ended ${end.state}`);
  return { wallMs, cpuMs, minutes: (h.clock.now() - t0) / 60_000, events: h.events(id).length };
}

for (const type of Object.keys(PLANS) as ReleaseType[]) {
  const results = [];
  for (let i = 0; i < runs; i += 1) results.push(await once(type));
  const walls = results.map((r) => r.wallMs).sort((a, b) => a - b);
  const median = walls[Math.floor(walls.length / 2)] ?? 0;
  const cpus = results.map((r) => r.cpuMs).sort((a, b) => a - b);
  const cpuMedian = cpus[Math.floor(cpus.length / 2)] ?? 0;
  const r = results[0]!;
  console.log(
    `${type.padEnd(8)} ${String(r.minutes).padStart(4)} min virtual, ${r.events} events: median ${median.toFixed(0)} ms, max ${walls.at(-1)?.toFixed(0)} ms wall; median ${cpuMedian.toFixed(0)} ms CPU (${runs} runs)`,
  );
}
