import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The dependency rule of DESIGN.md, enforced: a written rule alone does not hold.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.tsx')) out.push(path);
  }
  return out;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(IMPORT)) specs.push((m[1] ?? m[2]) as string);
  return specs;
}

/** The layer a source file or import resolves into: "core", "engine", "adapters/x", … */
function layerOf(path: string): string {
  const rel = relative(src, path).split(/[\\/]/);
  if (rel[0] === 'adapters' && rel.length > 2)
    return `adapters/${rel[1]}/${rel[2]?.replace(/\.ts$/, '')}`;
  return rel[0] ?? '';
}

function violations(
  dir: string,
  allowed: (target: string, file: string) => boolean,
  allowPackages: boolean,
): string[] {
  const bad: string[] = [];
  for (const file of tsFiles(join(src, dir))) {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) {
        if (!allowPackages) bad.push(`${relative(root, file)} imports package "${spec}"`);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (!allowed(target, file)) bad.push(`${relative(root, file)} imports "${spec}"`);
    }
  }
  return bad;
}

const inside = (target: string, ...layers: string[]) =>
  layers.some((l) => relative(join(src, l), target).split(/[\\/]/)[0] !== '..');

describe('dependency rule', () => {
  it('src/core imports nothing outside src/core, and no packages but zod and yaml', () => {
    const bad = violations('core', (t) => inside(t, 'core'), true).concat(
      tsFiles(join(src, 'core')).flatMap((file) =>
        importsOf(file)
          .filter((s) => !s.startsWith('.') && s !== 'zod' && s !== 'yaml')
          .map((s) => `${relative(root, file)} imports package "${s}"`),
      ),
    );
    expect(bad).toEqual([]);
  });

  it('src/core reads no clock, no randomness and no process state', () => {
    const bad: string[] = [];
    for (const file of tsFiles(join(src, 'core'))) {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      for (const pattern of [
        /Date\.now\(/,
        /new Date\(\s*\)/,
        /performance\.now\(/,
        /Math\.random\(/,
        /\bprocess\./,
        /\brequire\(/,
      ]) {
        if (pattern.test(text)) bad.push(`${relative(root, file)} uses ${pattern.source}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('src/engine imports only core and ports', () => {
    expect(violations('engine', (t) => inside(t, 'core', 'ports', 'engine'), true)).toEqual([]);
  });

  it('src/ports imports only core and ports', () => {
    expect(violations('ports', (t) => inside(t, 'core', 'ports'), true)).toEqual([]);
  });

  it('no adapter imports another adapter', () => {
    const bad = violations(
      'adapters',
      (t, file) =>
        inside(t, 'core', 'ports') ||
        (inside(t, 'adapters') && layerOf(t).split('/').slice(0, 3).join('/') === layerOf(file)),
      true,
    );
    expect(bad).toEqual([]);
  });

  it('the checker itself catches a violation (it is not a test that cannot fail)', () => {
    const fake = join(src, 'core', 'x.ts');
    expect(inside(resolve(dirname(fake), '../engine/y.js'), 'core')).toBe(false);
    expect(inside(resolve(dirname(fake), './y.js'), 'core')).toBe(true);
  });
});
