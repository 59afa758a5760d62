/**
 * `rollgate demo --ui` (ADR 0162): the real server (API + dashboard) on the demo's app, on
 * loopback. Nothing is opened unless asked: the URL is printed, and `--open` tries the
 * desktop's opener when one is on the PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { App } from '../app.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import { createServer, DEFAULT_HOST } from '../server/create-server.js';

export interface DemoDashboard {
  /** The dashboard's base URL, with a trailing slash. */
  url: string;
  rolloutUrl(rolloutId: string): string;
  stop(): Promise<void>;
}

export async function serveDemoDashboard(
  app: App,
  port: number,
  version: string,
): Promise<DemoDashboard> {
  const server = await createServer(app, { host: DEFAULT_HOST, version });
  let base: string;
  try {
    base = await server.listen(port);
  } catch (err) {
    await server.close().catch(() => undefined);
    const code = (err as { code?: unknown }).code;
    if (code === 'EADDRINUSE') {
      throw new RollgateError('invalid_input', `port ${port} on ${DEFAULT_HOST} is in use`, {
        hint: 'pick another with --port N, or --port 0 for any free port',
        cause: err,
      });
    }
    throw err;
  }
  const url = base.endsWith('/') ? base : `${base}/`;
  return {
    url,
    rolloutUrl: (id) => `${url}rollouts/${encodeURIComponent(id)}`,
    stop: () => server.close(),
  };
}

/** The desktop's URL opener on the PATH (xdg-open, open), if any. */
function opener(): string | undefined {
  const names = process.platform === 'darwin' ? ['open'] : ['xdg-open'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Tries to open the URL in a browser; says why not when it cannot. Never throws. */
export function tryOpen(url: string): string | undefined {
  const cmd = opener();
  if (!cmd) return 'no xdg-open on the PATH: open the URL yourself';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return undefined;
  } catch {
    return `${cmd} failed: open the URL yourself`;
  }
}
