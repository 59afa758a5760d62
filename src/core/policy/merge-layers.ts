/**
 * Merges policy layers, later over earlier (built-in < file < environment < flags):
 * maps merge key by key, lists and scalars are replaced whole, and a map with a
 * different `type` (a router, a deployer, a check) replaces the earlier one instead of
 * mixing the settings of two types.
 */
export function mergeLayers<T>(layers: readonly T[]): T {
  let merged: unknown = {};
  for (const layer of layers) merged = mergeValue(merged, layer);
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeValue(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  if ('type' in base && 'type' in over && base.type !== over.type) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeValue(base[key], value);
  return out;
}

/** Freezes a value and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
