import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandDeployer } from '../../src/adapters/deployers/command/command-deployer.js';
import { ShellCommandRunner } from '../../src/adapters/exec/shell-command-runner.js';
import { CommandRouter } from '../../src/adapters/routers/command/command-router.js';
import { tempDir } from '../helpers/real-servers.js';

const runner = new ShellCommandRunner();
const request = {
  service: 'payments',
  environment: 'production',
  rolloutId: 'ro-42',
  version: 'v2.1.0',
  previousVersion: 'v2.0.3',
  target: 'canary' as const,
};

/** Running (a zombie waiting for a reaper counts as gone). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \([^)]*\) Z/.test(stat);
  } catch {
    return false;
  }
};

describe('command runner, deployer and router (real /bin/sh processes)', () => {
  const dirs: { remove(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => d.remove()));
  });

  it('gives deploy scripts the documented environment and captures their output', async () => {
    const deployer = new CommandDeployer(runner, {
      deploy: 'env | grep ^ROLLGATE_ | sort; echo arg={version}',
      rollback: 'echo rolled back to "$ROLLGATE_PREVIOUS_VERSION"',
    });
    const result = await deployer.deploy(request);
    expect(result.ok).toBe(true);
    for (const line of [
      'ROLLGATE_SERVICE=payments',
      'ROLLGATE_ENV=production',
      'ROLLGATE_VERSION=v2.1.0',
      'ROLLGATE_PREVIOUS_VERSION=v2.0.3',
      'ROLLGATE_ROLLOUT_ID=ro-42',
      'ROLLGATE_TARGET=canary',
      'arg=v2.1.0',
    ]) {
      expect(result.output).toContain(line);
    }
    expect((await deployer.rollback(request)).output).toContain('rolled back to v2.0.3');
  });

  it('placeholders are shell-quoted: a version cannot inject a command', async () => {
    const dir = await tempDir('cmd');
    dirs.push(dir);
    const marker = join(dir.path, 'pwned');
    const deployer = new CommandDeployer(runner, { deploy: 'echo {version}', rollback: 'true' });
    const result = await deployer.deploy({ ...request, version: `v1; touch ${marker}` });
    expect(result.ok).toBe(true);
    expect(result.output).toContain(`v1; touch ${marker}`);
    expect(existsSync(marker)).toBe(false);
  });

  it('exit 75 is retryable, other exits fail the deploy, output is redacted', async () => {
    const secret = 's3cr3t-deploy-token';
    const retry = new CommandDeployer(runner, { deploy: 'echo busy; exit 75', rollback: 'true' });
    await expect(retry.deploy(request)).rejects.toMatchObject({
      code: 'provider_error',
      retryable: true,
    });
    const failing = new CommandDeployer(runner, {
      deploy:
        'echo "using $DEPLOY_TOKEN"; echo "Authorization: Bearer abc.def.ghi"; echo boom >&2; exit 3',
      rollback: 'true',
      env: { DEPLOY_TOKEN: secret },
      secrets: [secret],
    });
    const result = await failing.deploy(request);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/exit code 3/);
    expect(result.message).toContain('boom');
    expect(result.output).not.toContain(secret);
    expect(result.output).not.toContain('abc.def.ghi');
    expect(result.output).toContain('[REDACTED]');
  });

  it('a timeout kills the whole process group, children included', async () => {
    const dir = await tempDir('cmd');
    dirs.push(dir);
    const pids = join(dir.path, 'pids');
    const started = Date.now();
    const outcome = await runner.run({
      command: `sleep 60 & echo $! > ${pids}; sleep 60`,
      env: {},
      timeoutMs: 500,
    });
    expect(outcome.timedOut).toBe(true);
    expect(outcome.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    const child = Number((await readFile(pids, 'utf8')).trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(child)).toBe(false);
    const deployer = new CommandDeployer(runner, {
      deploy: 'sleep 60',
      rollback: 'true',
      timeoutMs: 300,
    });
    await expect(deployer.deploy(request)).rejects.toMatchObject({
      code: 'timeout',
      retryable: true,
    });
  });

  it('keeps only the end of long output', async () => {
    const outcome = await runner.run({
      command: 'seq 1 100000',
      env: {},
      timeoutMs: 10_000,
      maxOutputBytes: 1_000,
    });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.output.length).toBeLessThan(1_100);
    expect(outcome.output).toContain('100000');
    expect(outcome.output).toMatch(/earlier output dropped/);
  });

  it('command router: getWeight must print a weight; exit codes become errors', async () => {
    const dir = await tempDir('cmd');
    dirs.push(dir);
    const state = join(dir.path, 'weight');
    const router = new CommandRouter(runner, {
      setWeight: `echo "$ROLLGATE_WEIGHT" > ${state}`,
      getWeight: `echo "reading"; cat ${state}`,
    });
    const target = { service: 'payments', environment: 'production' };
    await router.setWeight(target, 12.5);
    expect(await router.getWeight(target)).toBe(12.5);
    const garbled = new CommandRouter(runner, { setWeight: 'true', getWeight: 'echo lots' });
    await expect(garbled.getWeight(target)).rejects.toMatchObject({ code: 'provider_error' });
    const busy = new CommandRouter(runner, { setWeight: 'exit 75', getWeight: 'echo 0' });
    await expect(busy.setWeight(target, 5)).rejects.toMatchObject({ retryable: true });
    const broken = new CommandRouter(runner, {
      setWeight: 'echo nope >&2; exit 1',
      getWeight: 'echo 0',
    });
    const err = await broken.setWeight(target, 5).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_error', retryable: false });
    expect((err as Error).message).toMatch(/code 1: nope/);
  });
});
