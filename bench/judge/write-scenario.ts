/**
 * Writes one benchmark cell as a scenario file (docs/scenario-format.md), for replays:
 *   npx tsx bench/judge/write-scenario.ts --cell err-5x-p1-w5 --seed 1 --seconds 600 --out FILE
 */
import { writeFileSync } from 'node:fs';
import { Rng } from './random.js';
import { cells, ScenarioStream } from './scenarios.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const id = opt('cell', 'err-5x-p1-w5');
const seed = Number(opt('seed', '1'));
const seconds = Number(opt('seconds', '600'));
const cell = cells().find((c) => c.id === id);
if (!cell)
  throw new Error(
    `unknown cell ${id}; known: ${cells()
      .map((c) => c.id)
      .join(', ')}`,
  );
const stream = new ScenarioStream(cell, new Rng(seed));
const truth = {
  cell: cell.id,
  errorRatio: cell.theta,
  baseErrorRate: cell.p,
  onsetSeconds: cell.onset,
  latencyShift: cell.latencyShift,
  tail: cell.tail,
  seed,
};
const lines = [JSON.stringify({ name: cell.label, batch: '1s', truth })];
for (let t = 1; t <= seconds; t++) lines.push(JSON.stringify(stream.next(t)));
writeFileSync(opt('out', `${id}.jsonl`), `${lines.join('\n')}\n`);
