/**
 * Serves the built dashboard (`dist/dashboard/`, built by Vite) with an SPA fallback:
 * a GET that names no file gets `index.html`, so client routes (`/rollouts/ro-…`) load.
 * Without a build, a short page says how to build it (the API works regardless).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rollgate</title></head>
<body><h1>rollgate</h1>
<p>The dashboard was not built. Build it with <code>npm run build:dashboard</code> (it writes
<code>dist/dashboard/</code>) and reload. The API answers under <a href="/api/v1/health">/api/v1</a>.</p>
</body></html>
`;

/** The package's `dist/dashboard` (found from this file, in src/ or dist/). */
export function defaultDashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'dashboard');
    dir = dirname(dir);
  }
  return resolve('dist', 'dashboard');
}

export interface StaticAnswer {
  status: number;
  type: string;
  body: Buffer | string;
  /** Hashed assets can be cached for long; index.html never. */
  cache: string;
}

export async function staticAnswer(root: string, urlPath: string): Promise<StaticAnswer> {
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    return { status: 200, type: TYPES['.html'] as string, body: NOT_BUILT_PAGE, cache: 'no-store' };
  }
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    path = '/';
  }
  const file = normalize(join(root, path));
  if (file.startsWith(root + sep) && extname(file) !== '') {
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) {
      return {
        status: 200,
        type: TYPES[extname(file)] ?? 'application/octet-stream',
        body: await readFile(file),
        cache: file.includes(`${sep}assets${sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      };
    }
    // A missing asset is a 404, not the SPA page (a broken <script> should say so).
    if (!file.endsWith('.html')) {
      return { status: 404, type: TYPES['.txt'] as string, body: 'not found\n', cache: 'no-store' };
    }
  }
  return {
    status: 200,
    type: TYPES['.html'] as string,
    body: await readFile(index),
    cache: 'no-cache',
  };
}
