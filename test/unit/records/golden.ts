import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '__golden__');

/**
 * Compare `actual` with the golden file; `UPDATE_GOLDEN=1 npx vitest run test/unit/records`
 * rewrites the golden files instead (review the diff before committing).
 */
export function expectGolden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/unit/records`,
    );
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
