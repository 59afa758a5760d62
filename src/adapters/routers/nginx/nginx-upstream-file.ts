import { RollgateError } from '../../../core/errors/rollgate-error.js';

export interface NginxUpstreamSpec {
  /** Name of the split upstream; `<upstream>_stable` and `<upstream>_canary` are rendered too. */
  upstream: string;
  stable: string;
  canary: string;
  /** `hash <key> consistent;` for sticky units (e.g. `$rollgate_unit_key`); unset: weighted round robin. */
  hashKey?: string | undefined;
  /** Sum of the two weights. Default 200: steps of 0.5 %. */
  totalWeight: number;
}

const MARKER = '# rollgate canary weight:';

/** Whole-number nginx weights for a canary percentage, or an invalid_input error. */
export function nginxWeights(weight: number, total: number): { canary: number; stable: number } {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
    throw new RollgateError(
      'invalid_input',
      `invalid canary weight ${JSON.stringify(weight)}: expected a number from 0 to 100 (percent)`,
      { hint: 'weights are percentages of new requests sent to the canary' },
    );
  }
  const canary = (weight * total) / 100;
  if (Math.abs(canary - Math.round(canary)) > 1e-9) {
    throw new RollgateError(
      'invalid_input',
      `canary weight ${weight}% cannot be set exactly in nginx: weights go in steps of ${100 / total}% (0 to 100)`,
      { hint: `use a multiple of ${100 / total}%, or raise totalWeight` },
    );
  }
  return { canary: Math.round(canary), stable: total - Math.round(canary) };
}

/**
 * The include file rollgate owns: the split upstream with absolute weights (a server at
 * weight 0 is marked `down`, since nginx rejects `weight=0`), and one upstream per version
 * for the override header.
 */
export function renderNginxUpstream(spec: NginxUpstreamSpec, weight: number): string {
  const w = nginxWeights(weight, spec.totalWeight);
  const server = (addr: string, n: number) =>
    n === 0 ? `  server ${addr} weight=1 down;` : `  server ${addr} weight=${n};`;
  return [
    '# Managed by rollgate: rewritten on every weight change. Do not edit by hand;',
    '# a change made here is reported as drift and pauses the rollout.',
    `${MARKER} ${weight}`,
    `upstream ${spec.upstream} {`,
    ...(spec.hashKey === undefined ? [] : [`  hash ${spec.hashKey} consistent;`]),
    server(spec.stable, w.stable),
    server(spec.canary, w.canary),
    '  keepalive 16;',
    '}',
    `upstream ${spec.upstream}_stable {`,
    `  server ${spec.stable};`,
    '  keepalive 4;',
    '}',
    `upstream ${spec.upstream}_canary {`,
    `  server ${spec.canary};`,
    '  keepalive 4;',
    '}',
    '',
  ].join('\n');
}

/** The weight a rendered file sets, from its server lines (the marker line is only a comment). */
export function parseNginxUpstream(text: string, spec: NginxUpstreamSpec): number | undefined {
  const block = new RegExp(
    `upstream\\s+${spec.upstream.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\{([^}]*)\\}`,
  ).exec(text);
  if (!block) return undefined;
  const weightOf = (addr: string): number | undefined => {
    for (const line of (block[1] as string).split('\n')) {
      const m = /^\s*server\s+(\S+)([^;]*);/.exec(line);
      if (!m || m[1] !== addr) continue;
      if (/\bdown\b/.test(m[2] as string)) return 0;
      const w = /\bweight=(\d+)/.exec(m[2] as string);
      return w ? Number(w[1]) : 1;
    }
    return undefined;
  };
  const stable = weightOf(spec.stable);
  const canary = weightOf(spec.canary);
  if (stable === undefined || canary === undefined || stable + canary === 0) return undefined;
  return Math.round(((canary * 100) / (stable + canary)) * 100) / 100;
}
