import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { DemoServiceOptionsInput } from './demo-options.js';

export interface DemoServiceProcess {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  readonly pid: number;
  /** Resolves with the exit code when the process ends (70 = the crash fault fired). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start a demo service version in its own process (`demo-service-main`), so stable and
 * canary crash, leak and use CPU independently, as real deployments do. Works from the
 * compiled `dist/` and from the TypeScript sources (through tsx's loader).
 */
export async function spawnDemoService(
  options: DemoServiceOptionsInput,
  startTimeoutMs = 10_000,
): Promise<DemoServiceProcess> {
  const isTs = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(`./demo-service-main.${isTs ? 'ts' : 'js'}`, import.meta.url));
  const args = [...(isTs ? ['--import', 'tsx'] : []), main, JSON.stringify(options)];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ROLLGATE_EXIT_WITH_PARENT: '1' },
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  const ready = await new Promise<{ url: string; port: number; version: string }>(
    (resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new RollgateError('timeout', `demo service did not start in ${startTimeoutMs} ms`));
      }, startTimeoutMs);
      child.stdout?.on('data', (c: Buffer) => {
        buf += c.toString();
        const nl = buf.indexOf('\n');
        if (nl !== -1) {
          clearTimeout(timer);
          resolve(JSON.parse(buf.slice(0, nl)) as { url: string; port: number; version: string });
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new RollgateError('internal', `demo service exited with ${code} before it was ready`, {
            details: { stderr },
          }),
        );
      });
    },
  );
  return {
    ...ready,
    pid: child.pid ?? -1,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
