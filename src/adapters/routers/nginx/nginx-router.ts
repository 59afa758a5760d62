import { execFile } from 'node:child_process';
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { RollgateError } from '../../../core/errors/rollgate-error.js';
import type { Router, RouteTarget } from '../../../ports/router.js';
import {
  type NginxUpstreamSpec,
  nginxWeights,
  parseNginxUpstream,
  renderNginxUpstream,
} from './nginx-upstream-file.js';

export interface NginxRouterOptions {
  /** The include file rollgate owns (the `upstream` blocks). */
  configFile: string;
  upstream: string;
  /** host:port of the stable and canary servers. */
  stable: string;
  canary: string;
  /** `hash <key> consistent;` in the split upstream, for sticky units. */
  hashKey?: string;
  totalWeight?: number;
  /** Validates the whole configuration. Default `nginx -t`. */
  testCommand?: string;
  /** Applies it. Default `nginx -s reload`. */
  reloadCommand?: string;
  /** Per command. Default 10 s. */
  timeoutMs?: number;
  overrideHeader?: string;
}

function run(
  command: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, signal },
      (err, stdout, stderr) => {
        if (!err) return resolve(undefined);
        const text = `${stderr}${stdout}`.trim().slice(-2_000);
        const why = (err as { killed?: boolean }).killed
          ? `timed out after ${timeoutMs} ms`
          : `exit code ${String((err as { code?: unknown }).code)}`;
        resolve(`${why}${text ? `: ${text}` : ''}`);
      },
    );
  });
}

/**
 * Router port for nginx (docs/adapters/nginx.md): renders the upstream include with
 * absolute weights, runs `nginx -t`, then `nginx -s reload`. The previous file is kept
 * (`<configFile>.previous`) and put back when the test or the reload fails, so nginx never
 * runs a half-written split. nginx has no runtime API in its open-source build, so
 * `getWeight` reads the file in force; a file changed by someone else since rollgate wrote
 * it is drift (a `conflict` error with details.drift on the next non-zero weight).
 *
 * A reload is asynchronous: workers started before it finish their kept-alive
 * connections on the old split, so clients see the new weight within a moment, and may
 * see a connection reset they should retry (idempotent requests).
 */
export class NginxRouter implements Router {
  readonly name = 'nginx';
  private readonly spec: NginxUpstreamSpec;
  private lastWritten: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: NginxRouterOptions) {
    this.spec = {
      upstream: options.upstream,
      stable: options.stable,
      canary: options.canary,
      hashKey: options.hashKey,
      totalWeight: options.totalWeight ?? 200,
    };
  }

  async setWeight(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void> {
    nginxWeights(weight, this.spec.totalWeight);
    // One change at a time: two overlapping reloads could restore each other's files.
    const next = this.queue.then(() => this.apply(target, weight, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async getWeight(_target: RouteTarget): Promise<number> {
    const text = await this.readCurrent();
    if (text === undefined) {
      throw new RollgateError(
        'provider_error',
        `nginx: ${this.options.configFile} does not exist yet, so no split is in force`,
        { hint: 'set a weight first (rollgate writes the file), and include it in nginx.conf' },
      );
    }
    const weight = parseNginxUpstream(text, this.spec);
    if (weight === undefined) {
      throw new RollgateError(
        'provider_error',
        `nginx: ${this.options.configFile} has no upstream ${this.spec.upstream} with servers ${this.spec.stable} and ${this.spec.canary}`,
        { hint: 'the file is rollgate’s own: let rollgate rewrite it (set a weight)' },
      );
    }
    return weight;
  }

  overrideHeader(): { name: string; value: string } {
    return { name: this.options.overrideHeader ?? 'x-rollgate-version', value: 'canary' };
  }

  private async apply(target: RouteTarget, weight: number, signal?: AbortSignal): Promise<void> {
    const file = this.options.configFile;
    const current = await this.readCurrent();
    if (this.lastWritten !== undefined && current !== this.lastWritten && weight !== 0) {
      const actual = current === undefined ? undefined : parseNginxUpstream(current, this.spec);
      const expected = parseNginxUpstream(this.lastWritten, this.spec);
      throw new RollgateError(
        'conflict',
        `nginx ${this.spec.upstream} (${target.service}/${target.environment}): ${file} changed since rollgate wrote it (canary weight ${String(actual)}%, rollgate set ${String(expected)}%)`,
        {
          retryable: false,
          hint: 'find out who edited the file, then resume or roll back',
          details: { drift: true, expected, actual, file },
        },
      );
    }
    const text = renderNginxUpstream(this.spec, weight);
    const previous = `${file}.previous`;
    if (current !== undefined) await copyFile(file, previous);
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
    const timeout = this.options.timeoutMs ?? 10_000;
    const restore = async (why: string, step: string) => {
      if (current !== undefined) await rename(previous, file);
      throw new RollgateError(
        'provider_error',
        `nginx ${this.spec.upstream}: ${step} failed, previous file restored — ${why}`,
        {
          retryable: step === 'reload',
          hint: 'run the same command by hand to see the whole message',
          details: { step, file },
        },
      );
    };
    const tested = await run(this.options.testCommand ?? 'nginx -t', timeout, signal);
    if (tested !== undefined) return restore(tested, 'configuration test');
    const reloaded = await run(this.options.reloadCommand ?? 'nginx -s reload', timeout, signal);
    if (reloaded !== undefined) return restore(reloaded, 'reload');
    this.lastWritten = text;
  }

  private async readCurrent(): Promise<string | undefined> {
    try {
      return await readFile(this.options.configFile, 'utf8');
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      throw new RollgateError(
        'provider_error',
        `nginx: cannot read ${this.options.configFile}: ${(err as Error).message}`,
      );
    }
  }
}
