import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { alive, BIN, childrenOf } from '../helpers/rollgate-cli.js';

// `rollgate demo` as a newcomer runs it: `node bin/rollgate.js demo` in an empty directory,
// at a high clock speed (and more load, so each short stage still carries enough traffic).
const SPEED = '240';
const RPS = '400';
const dirs: string[] = [];
const running = new Set<ChildProcess>();

interface DemoRun {
  code: number | null;
  lines: Record<string, unknown>[];
  stderr: string;
  children: number[];
  dir: string;
  wallSeconds: number;
}

/** Spawns the demo, records its children while it runs, and waits for it to exit. */
function runDemo(
  args: string[],
  onLine?: (line: Record<string, unknown>, child: ChildProcess) => void,
) {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-demo-'));
  dirs.push(dir);
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'demo', ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const children = new Set<number>();
  const sample = setInterval(() => {
    if (child.pid !== undefined) for (const p of childrenOf(child.pid)) children.add(p);
  }, 300);
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    buffer += c.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      onLine?.(line, child);
    }
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise<DemoRun>((done) => {
    child.once('exit', (code) => {
      clearInterval(sample);
      running.delete(child);
      done({
        code,
        lines,
        stderr,
        children: [...children],
        dir,
        wallSeconds: (Date.now() - started) / 1000,
      });
    });
  });
}

afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CASES = [
  { scenario: 'error-spike', outcome: 'rolled_back' },
  { scenario: 'latency', outcome: 'rolled_back' },
  { scenario: 'memory-leak', outcome: 'rolled_back' },
  { scenario: 'crash', outcome: 'rolled_back' },
  { scenario: 'healthy', outcome: 'completed' },
] as const;

describe(`rollgate demo --speed ${SPEED} --json`, () => {
  for (const c of CASES) {
    it(`${c.scenario}: ends ${c.outcome}, exit 0, and leaves no process behind`, async () => {
      const run = await runDemo([
        '--scenario',
        c.scenario,
        '--speed',
        SPEED,
        '--rps',
        RPS,
        '--json',
      ]);
      const summary = run.lines.at(-1) as Record<string, unknown> & {
        files: { store: string; policy: string; records: string[] };
        detection?: { seconds: number; canaryRequests: number };
      };
      process.stdout.write(`demo ${c.scenario}: ${run.wallSeconds.toFixed(1)} s wall\n`);
      expect(run.stderr).toBe('');
      expect(summary.type).toBe('summary');
      expect(summary.outcome).toBe(c.outcome);
      expect(summary.ok).toBe(true);
      expect(run.code).toBe(0);
      // progress lines came first, with the rollout's own events (how many lines depends on
      // how the events fall into progress ticks, so the test reads what they carried)
      const progress = run.lines.filter((l) => l.type === 'progress') as Array<{
        events: Array<{ type: string }>;
      }>;
      expect(run.lines.indexOf(progress[0] as never)).toBe(0);
      const seen = progress.flatMap((l) => l.events.map((e) => e.type));
      expect(seen).toContain('rollout.started');
      expect(seen).toContain(
        c.outcome === 'rolled_back' ? 'rollback.completed' : 'rollout.completed',
      );
      if (c.outcome === 'rolled_back') {
        expect(summary.detection?.seconds).toBeGreaterThan(0);
        expect(summary.detection?.canaryRequests).toBeGreaterThan(0);
      } else {
        expect(summary.detection).toBeUndefined();
      }
      // what it wrote: the store and the policy it ran, in ./rollgate-demo/
      expect(summary.files.store).toBe(join(run.dir, 'rollgate-demo', 'rollgate.db'));
      expect(existsSync(summary.files.store)).toBe(true);
      expect(readFileSync(summary.files.policy, 'utf8')).toContain('criticalEndpoints');
      // and the record the timeline gives: a post-mortem draft, or the post-release report
      const record = summary.files.records.find((f) => f.endsWith('.md')) as string;
      expect(readFileSync(record, 'utf8')).toContain(
        c.outcome === 'rolled_back' ? 'v2.1.0' : 'payment-service',
      );
      expect(record).toMatch(c.outcome === 'rolled_back' ? /v2\.1\.0\.md$/ : /post-release-report/);
      // a rollback opened its post-mortem and captured its forensics folder by itself
      const forensics = join(
        run.dir,
        'rollgate-demo',
        'forensics',
        `v2.1.0-${String(summary.rolloutId)}`,
      );
      expect(existsSync(join(forensics, 'metadata.json'))).toBe(c.outcome === 'rolled_back');
      // the router and both versions ran as children, and none outlived the demo
      expect(run.children.length).toBeGreaterThanOrEqual(3);
      expect(run.children.filter(alive)).toEqual([]);
    });
  }

  it('stops everything on Ctrl-C (SIGINT) half way, exit 130', async () => {
    let sent = false;
    const run = await runDemo(
      ['--scenario', 'healthy', '--speed', '60', '--json'],
      (line, child) => {
        if (!sent && line.type === 'progress' && Number(line.weight) > 0) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.lines.at(-1)?.outcome).toBe('interrupted');
    expect(run.children.length).toBeGreaterThanOrEqual(3);
    expect(run.children.filter(alive)).toEqual([]);
  });

  it('refuses an unknown scenario with exit 2 and the list of scenarios', async () => {
    const run = await runDemo(['--scenario', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown demo scenario `nope`');
    expect(run.stderr).toContain('error-spike, latency, memory-leak, crash, healthy');
  });
});
