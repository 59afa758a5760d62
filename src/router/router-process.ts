import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { RouterConfigInput } from './router-config.js';

export interface RouterProcess {
  readonly url: string;
  readonly adminUrl: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  /** SIGTERM (the router drains), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Start the built-in router in its own process (`router-main`), as `rollgate demo` and the
 * benchmarks run it: traffic never shares an event loop with the controller.
 */
export async function spawnRouter(
  config: RouterConfigInput,
  startTimeoutMs = 10_000,
): Promise<RouterProcess> {
  const isTs = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(`./router-main.${isTs ? 'ts' : 'js'}`, import.meta.url));
  const args = [...(isTs ? ['--import', 'tsx'] : []), main, JSON.stringify(config)];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ROLLGATE_EXIT_WITH_PARENT: '1' },
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  const ready = await new Promise<{ url: string; adminUrl: string }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new RollgateError('timeout', `router did not start in ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) {
        clearTimeout(timer);
        resolve(JSON.parse(buf.slice(0, nl)) as { url: string; adminUrl: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new RollgateError(
          'invalid_input',
          `router exited with ${code} before it was ready: ${stderr.trim()}`,
        ),
      );
    });
  });
  return {
    url: ready.url,
    adminUrl: ready.adminUrl,
    pid: child.pid ?? -1,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
