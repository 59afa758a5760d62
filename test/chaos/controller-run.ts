import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a controller child ended, with what it wrote (stdout lines and stderr). */
export interface ControllerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

/** A controller child (chaos-child.mjs, notify-child.mjs): `ready` once it printed "ready". */
export interface ControllerRun {
  child: ChildProcess;
  ready: Promise<boolean>;
  exit: Promise<ControllerExit>;
}

const running = new Set<ChildProcess>();

/** SIGKILL every controller child still running (for afterAll, also after a failure). */
export function killRunningControllers(): void {
  for (const c of running) c.kill('SIGKILL');
}

/** Start `node script ...args` in `cwd`; `ready` is false when it exits before "ready". */
export function spawnController(
  script: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): ControllerRun {
  const c = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  running.add(c);
  let out = '';
  c.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const lines = createInterface({ input: c.stdout as NodeJS.ReadableStream });
  const ready = new Promise<boolean>((resolveReady) => {
    lines.on('line', (line) => {
      out += `${line}\n`;
      if (line === 'ready') resolveReady(true);
    });
    c.on('exit', () => resolveReady(false));
  });
  const exit = new Promise<ControllerExit>((r) =>
    c.on('exit', (code, signal) => {
      running.delete(c);
      r({ code, signal, out });
    }),
  );
  return { child: c, ready, exit };
}

/** Once `run` is ready, wait `delayMs` and kill it with SIGKILL; throws if it ended by itself. */
export async function killAfter(run: ControllerRun, delayMs: number): Promise<void> {
  if (!(await run.ready)) {
    const ended = await run.exit;
    throw new Error(`the controller exited early (${ended.code}): ${ended.out}`);
  }
  await new Promise((r) => setTimeout(r, delayMs));
  run.child.kill('SIGKILL');
  const ended = await run.exit;
  if (ended.signal !== 'SIGKILL') throw new Error(`the controller ended by itself: ${ended.out}`);
}
