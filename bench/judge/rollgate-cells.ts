/**
 * rollgate and the oracle SPRT alone (no peers) on chosen benchmark cells, on the same
 * seeds as `npm run bench:judge`: a fast re-check after a change to the judge.
 *   npx tsx bench/judge/rollgate-cells.ts [--runs 500] [--seed 20261121] CELL_ID…
 */
import { createJudge } from '../../src/core/judge/create-judge.js';
import { Rng } from './random.js';
import { benchPolicy } from './run-judge-bench-policy.js';
import { cells, ScenarioStream, weightAt } from './scenarios.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const runs = opt('runs', 500);
const seed = opt('seed', 20261121);
const ids = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const all = cells();
const policy = benchPolicy();
const judge = createJudge(policy, { evidence: 'decisions' });
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.POSITIVE_INFINITY
    : s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
};
const k = (x: number) =>
  Number.isFinite(x) ? `${(x / 1000).toFixed(x >= 10_000 ? 0 : 1)} k` : 'missed';
process.stdout.write(
  '| cell | runs | rollgate median / p90 | oracle median | ratio | false rollbacks (deployed / watch) | promoted | missed | early |\n|---|---|---|---|---|---|---|---|---|\n',
);
for (const id of ids) {
  const index = all.findIndex((c) => c.id === id);
  const cell = all[index]!;
  const n = Math.max(1, Math.round(runs * cell.runsShare));
  const horizon = cell.group === 'aa' ? 1800 : Math.min(7200, cell.maxSeconds ?? 7200);
  const det: number[] = [];
  const orc: number[] = [];
  let falseDeployed = 0;
  let falseWatch = 0;
  let promoted = 0;
  let early = 0;
  for (let run = 0; run < n; run++) {
    const rng = new Rng(
      (seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(run + 1, 0x85ebca6b)) >>> 0,
    );
    const stream = new ScenarioStream(cell, rng);
    const w0 = weightAt(cell, 1);
    const stage = {
      weight: w0,
      maxHoldSeconds: Number.POSITIVE_INFINITY,
      minCanaryRequests: 0,
      onTimeout: 'pause' as const,
      startSeconds: 0,
    };
    const deployed = judge.startStage({ ...stage, minHoldSeconds: 600 });
    const watch =
      cell.group === 'aa'
        ? judge.startStage({ ...stage, minHoldSeconds: Number.POSITIVE_INFINITY })
        : undefined;
    let dDone = false;
    let wDone = watch === undefined;
    let oDone = cell.group === 'aa' || cell.group === 'latency';
    let llr = 0;
    let requests = 0;
    for (let t = 1; t <= horizon && !(dDone && wDone && oDone); t++) {
      const b = stream.next(t);
      if (t > cell.onset) requests += b.canary.requests + b.baseline.requests;
      if (!oDone && t > cell.onset) {
        const pi0 = b.canary.requests / (b.canary.requests + b.baseline.requests);
        const pi1 =
          (cell.theta * b.canary.requests) / (cell.theta * b.canary.requests + b.baseline.requests);
        llr +=
          b.canary.errors * Math.log(pi1 / pi0) +
          b.baseline.errors * Math.log((1 - pi1) / (1 - pi0));
        if (llr >= Math.log(1 / policy.alpha)) {
          orc.push(requests);
          oDone = true;
        }
      }
      if (!dDone) {
        const v = deployed.observe(b, t);
        if (v.decision === 'rollback' || v.decision === 'halt') {
          dDone = true;
          if (cell.group === 'aa') falseDeployed++;
          else if (t <= cell.onset) early++;
          else det.push(requests);
        } else if (v.decision === 'promote') {
          dDone = true;
          promoted++;
        }
      }
      if (watch && !wDone) {
        const v = watch.observe(b, t);
        if (v.decision === 'rollback' || v.decision === 'halt') {
          wDone = true;
          falseWatch++;
        }
      }
    }
  }
  const missed = cell.group === 'aa' ? 0 : n - det.length - promoted - early;
  const ratio =
    orc.length > 0 && det.length > 0 ? `${(q(det, 0.5) / q(orc, 0.5)).toFixed(2)}×` : '–';
  const fr =
    cell.group === 'aa'
      ? `${((100 * falseDeployed) / n).toFixed(2)} % / ${((100 * falseWatch) / n).toFixed(2)} %`
      : '–';
  process.stdout.write(
    `| ${cell.label} | ${n} | ${cell.group === 'aa' ? '–' : `${k(q(det, 0.5))} / ${k(q(det, 0.9))}`} | ${orc.length ? k(q(orc, 0.5)) : '–'} | ${ratio} | ${fr} | ${promoted} | ${missed} | ${early} |\n`,
  );
}
