import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { main } from '../../../src/cli/main.js';
import { errorBatch, rng } from './judge-fixtures.js';

const root = resolve(import.meta.dirname, '../../..');

async function run(
  args: string[],
  cwd = root,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    cwd,
    env: {},
    isTTY: false,
  };
  const code = await main(args, io);
  return { code, out, err };
}

function scenarioFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-replay-'));
  const file = join(dir, 'scenario.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('rollgate judge replay', () => {
  it('rolls back the example error regression (exit 3) with the decision changes and evidence', async () => {
    const { code, out } = await run([
      'judge',
      'replay',
      'examples/scenarios/error-regression.jsonl',
    ]);
    expect(code).toBe(3);
    expect(out).toMatch(/t=\d+s {2}PAUSE {2}error-rate-pause/);
    expect(out).toMatch(/t=\d+s {2}ROLLBACK {2}error-rate-rollback/);
    expect(out).toMatch(/ratio CS \[/);
    expect(out).toMatch(/exposure: \d+ canary \/ \d+ baseline requests/);
    expect(out).toMatch(/final: rollback at t=\d+s \(error-rate-rollback\)/);
  });

  it('prints byte-identical output when the same scenario is replayed twice', async () => {
    const a = await run(['judge', 'replay', 'examples/scenarios/latency-tail.jsonl', '--json']);
    const b = await run(['judge', 'replay', 'examples/scenarios/latency-tail.jsonl', '--json']);
    expect(a.out).toBe(b.out);
    const textA = await run(['judge', 'replay', 'examples/scenarios/latency-tail.jsonl']);
    const textB = await run(['judge', 'replay', 'examples/scenarios/latency-tail.jsonl']);
    expect(textA.out).toBe(textB.out);
    expect(a.code).toBe(4);
    const parsed = JSON.parse(a.out);
    expect(parsed.final.decision).toBe('pause');
    expect(parsed.final.decidedBy).toBe('latency-p99-pause');
    const finding = parsed.final.findings.find(
      (f: { gate: string }) => f.gate === 'latency-p99-pause',
    );
    expect(finding.ratioInterval[0]).toBeGreaterThan(1);
    expect(finding.eValue).toBeGreaterThanOrEqual(200);
  });

  it('exits 0 on a healthy canary', async () => {
    const { code, out } = await run(['judge', 'replay', 'examples/scenarios/healthy-canary.jsonl']);
    expect(code).toBe(0);
    expect(out).toMatch(/final: (continue|promote)/);
  });

  it('pauses (exit 4) when the metric source goes quiet, and never promotes on it', async () => {
    const next = rng(3);
    const lines = [JSON.stringify({ name: 'outage', batch: '1s' })];
    // 200 s of data, then 400 s without: past the built-in policy's 5 min no-data limit.
    for (let t = 1; t <= 600; t++) {
      lines.push(
        t > 200
          ? JSON.stringify({ t, missing: true })
          : JSON.stringify(errorBatch(next, t, { weight: 50 })),
      );
    }
    const { code, out } = await run(['judge', 'replay', scenarioFile(lines)]);
    expect(code).toBe(4);
    expect(out).toMatch(/INCONCLUSIVE/);
    expect(out).toMatch(/final: pause at t=\d+s \(no-data\)/);
    expect(out).not.toMatch(/PROMOTE/);
  });

  it('takes the gates and the first canary step from --policy, and says when the file is missing', async () => {
    const regression = await run([
      'judge',
      'replay',
      'examples/scenarios/error-regression.jsonl',
      '--policy',
      'examples/minimal.yaml',
    ]);
    expect(regression.code).toBe(3);
    const healthy = await run([
      'judge',
      'replay',
      'examples/scenarios/healthy-canary.jsonl',
      '--policy',
      'examples/minimal.yaml',
      '--type',
      'patch',
    ]);
    // The patch strategy's quick canary holds at most 15 min, then pauses (its onTimeout):
    // 900 s of 5 % traffic at 1 % errors is not enough evidence to promote early.
    expect(healthy.code).toBe(4);
    expect(healthy.out).toMatch(/final: pause at t=900s \(stage-timeout\)/);
    expect(healthy.out).not.toMatch(/ROLLBACK/);
    const missing = await run([
      'judge',
      'replay',
      'examples/scenarios/healthy-canary.jsonl',
      '--policy',
      'no-such-policy.yaml',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no policy file at no-such-policy.yaml/);
    expect(missing.err).toMatch(/hint:/);
  });

  it('names the line and field of a bad scenario (exit 2)', async () => {
    const file = scenarioFile([
      JSON.stringify({ name: 'bad', batch: '1s' }),
      JSON.stringify({
        t: 1,
        weight: 5,
        baseline: { requests: 10, errors: 0 },
        canary: { requests: 5, errors: 6 },
      }),
    ]);
    const { code, err } = await run(['judge', 'replay', file]);
    expect(code).toBe(2);
    expect(err).toMatch(
      /scenario\.jsonl:2: field "canary\.errors" \(6\) exceeds "canary\.requests" \(5\)/,
    );
  });

  it('reports a missing file as not found', async () => {
    const { code, err } = await run(['judge', 'replay', 'no/such/file.jsonl']);
    expect(code).toBe(2);
    expect(err).toMatch(/cannot read scenario file no\/such\/file\.jsonl/);
  });
});
