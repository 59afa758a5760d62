import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * e2e tests run `bin/rollgate.js`, which runs dist/: compile it once, fresh, first; and
 * build the dashboard into dist/dashboard/, which the server serves (ADR 0164).
 */
export default function setup(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}
