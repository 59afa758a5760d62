import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
} from 'yaml';
import type { PathSegment } from './policy-issue.js';

export interface SourcePosition {
  line: number;
  column: number;
}

/** Where a key path lives in one layer; `depth` = how many leading segments exist there. */
export interface Located {
  depth: number;
  position?: SourcePosition;
}

export interface Locator {
  /** The layer's name in messages: a file name, `<built-in policy>`, … */
  readonly file: string;
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): Located;
}

/** Positions from a YAML document (yaml's parseDocument + LineCounter). */
export function yamlLocator(file: string, doc: Document, lineCounter: LineCounter): Locator {
  const pos = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  return {
    file,
    locate(path, at = 'value') {
      let node = resolve(doc.contents) as Node | null | undefined;
      let keyNode: Node | undefined;
      let depth = 0;
      for (const segment of path) {
        let next: unknown;
        let nextKey: Node | undefined;
        if (isMap(node)) {
          const pair = node.items.find(
            (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
          );
          if (pair) {
            next = resolve(pair.value);
            nextKey = pair.key as Node;
            if (next === null || next === undefined) next = nextKey; // `key:` with no value
          }
        } else if (isSeq(node) && typeof segment === 'number') {
          next = resolve(node.items[segment]);
        }
        if (next === undefined) break;
        node = next as Node;
        keyNode = nextKey;
        depth++;
      }
      const complete = depth === path.length;
      const target = (!complete || at === 'key') && keyNode ? keyNode : node;
      const offset = target?.range?.[0];
      return { depth, position: offset === undefined ? undefined : pos(offset) };
    },
  };
}

/** A layer without a file (the built-in policy): knows which paths it defines, no positions. */
export function objectLocator(file: string, data: unknown): Locator {
  return {
    file,
    locate(path) {
      let node: unknown = data;
      let depth = 0;
      for (const segment of path) {
        if (node === null || typeof node !== 'object') break;
        const next = (node as Record<string | number, unknown>)[segment];
        if (next === undefined) break;
        node = next;
        depth++;
      }
      return { depth };
    },
  };
}
