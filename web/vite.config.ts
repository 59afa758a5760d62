import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The dashboard (docs/dashboard.md): React 19 TSX transformed by Vite's oxc (automatic JSX
 * runtime, no plugin), built into dist/dashboard/, which the server serves at `/`.
 * `npx vite --config web/vite.config.ts` serves it in development and proxies /api to the
 * server named by ROLLGATE_API (default http://127.0.0.1:7300).
 */
export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(here, '../dist/dashboard'),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.ROLLGATE_API ?? 'http://127.0.0.1:7300' },
  },
});
