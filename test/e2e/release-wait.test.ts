import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoStack, startDemoStack } from '../../src/demo/demo-stack.js';
import { runLoad } from '../../src/demo/load-generator.js';

// CI's use of rollgate: `rollgate release start … --wait` as a subprocess, against a real
// built-in router (its own process) in front of two demo service processes, with load
// running; the exit code says whether the release went out (0) or was rolled back (3).
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(repo, 'bin', 'rollgate.js');
const hostPort = (url: string) => new URL(url).host;

function policy(stack: DemoStack): string {
  return `version: 1
services:
  payments:
    router:
      type: builtin
      listen: "${hostPort(stack.url)}"
      admin: "${hostPort(stack.adminUrl)}"
      stable: "${stack.stable.url}"
      canary: "${stack.canary.url}"
    deployer: { type: command, deploy: "true", rollback: "true" }
    metrics: { type: builtin }
    criticalEndpoints: [/v1/payment/process]
releaseTypes:
  minor: { strategy: quick }
strategies:
  quick:
    - { type: deploy, target: canary }
    - { type: traffic, weight: 20%, hold: 8s, maxHold: 20s, minRequests: 50, onTimeout: promote }
    - { type: traffic, weight: 100%, analysis: false, hold: 1s }
`;
}

let stack: DemoStack | undefined;
let load: AbortController | undefined;
let dir: string | undefined;
afterEach(async () => {
  load?.abort();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  stack = undefined;
  dir = undefined;
});

async function release(canaryFaulty: boolean) {
  stack = await startDemoStack({
    seed: 7,
    ...(canaryFaulty ? {} : { canaryFaults: { errorRate: undefined } }),
  });
  dir = mkdtempSync(join(tmpdir(), 'rollgate-e2e-wait-'));
  writeFileSync(join(dir, 'rollgate.yaml'), policy(stack));
  load = new AbortController();
  void runLoad({
    url: stack.url,
    rate: 100,
    durationMs: 120_000,
    users: 500,
    seed: 3,
    signal: load.signal,
  }).catch(() => undefined);
  const run = spawn(
    process.execPath,
    [
      bin,
      'release',
      'start',
      '--service',
      'payments',
      '--version',
      'v2.1.0',
      '--type',
      'minor',
      '--previous-version',
      'v2.0.0',
      '--wait',
    ],
    { cwd: dir, env: { ...process.env, USER: 'ci', ROLLGATE_STORE: '' } },
  );
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  run.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((r) => run.on('exit', r));
  return {
    code,
    stdout,
    stderr,
    weight: await (await fetch(`${stack.adminUrl}/v1/weight`)).json(),
  };
}

describe('rollgate release start --wait against the built-in router and the demo service', () => {
  it('a healthy canary: exit 0, the new version at 100 %', async () => {
    const r = await release(false);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rollout\.completed/);
    expect(r.weight).toMatchObject({ weight: 100 });
  });

  it('a canary failing on a critical endpoint: exit 3, traffic back on stable', async () => {
    const r = await release(true);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/rollback\.started/);
    expect(r.stdout).toMatch(/rollback\.completed/);
    expect(r.weight).toMatchObject({ weight: 0 });
  });
});
