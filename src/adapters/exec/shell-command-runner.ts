import { spawn } from 'node:child_process';
import type { CommandOutcome, CommandRunner, CommandSpec } from '../../ports/command-runner.js';

const KILL_GRACE_MS = 2_000;

/** Common credential shapes, redacted even when the value was not handed in as a secret. */
const CREDENTIAL_PATTERNS: RegExp[] = [
  /(authorization\s*[:=]\s*(?:bearer|basic|token)?\s*)[^\s'"]+/gi,
  /((?:password|passwd|secret|token|api[-_]?key)\s*[:=]\s*)[^\s'"&]+/gi,
  /(https?:\/\/[^/\s:@]+:)[^@\s/]+(@)/gi,
];

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  for (const pattern of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, (_m, head: string, tail?: string) =>
      typeof tail === 'string' && tail === '@' ? `${head}[REDACTED]@` : `${head}[REDACTED]`,
    );
  }
  return out;
}

/** Keeps the last `max` bytes written (plus a margin so redaction sees whole secrets). */
class Tail {
  private text = '';
  private dropped = false;
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    this.text += chunk;
    const keep = this.max + 1_024;
    if (this.text.length > keep) {
      this.text = this.text.slice(-keep);
      this.dropped = true;
    }
  }
  value(secrets: readonly string[]): string {
    const clean = redact(this.text, secrets);
    if (!this.dropped && clean.length <= this.max) return clean;
    return `[… earlier output dropped]\n${clean.slice(-this.max)}`;
  }
}

/**
 * Runs a command line with /bin/sh in its own process group. On timeout or abort the
 * whole group gets SIGTERM, then SIGKILL after 2 s, so a script's children die with it.
 */
export class ShellCommandRunner implements CommandRunner {
  run(spec: CommandSpec, signal?: AbortSignal): Promise<CommandOutcome> {
    const started = performance.now();
    const max = spec.maxOutputBytes ?? 16 * 1024;
    const all = new Tail(max);
    const out = new Tail(max);
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', spec.command], {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let timedOut = false;
      let killer: NodeJS.Timeout | undefined;
      const killGroup = () => {
        const pid = child.pid;
        if (pid === undefined || child.exitCode !== null) return;
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {}
        killer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {}
        }, KILL_GRACE_MS);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, spec.timeoutMs);
      const onAbort = () => killGroup();
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        all.push(d);
        out.push(d);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => all.push(d));
      const done = (exitCode: number | null, extra = '') => {
        clearTimeout(timer);
        if (killer) clearTimeout(killer);
        signal?.removeEventListener('abort', onAbort);
        if (extra) all.push(extra);
        const secrets = spec.secrets ?? [];
        resolve({
          exitCode,
          timedOut,
          output: all.value(secrets),
          stdout: out.value(secrets),
          durationMs: Math.round(performance.now() - started),
        });
      };
      child.once('error', (err) => done(127, `\n${err.message}`));
      child.once('close', (code) => {
        // The group may outlive the shell (a backgrounded child): make sure it does not.
        if (timedOut || signal?.aborted) killGroup();
        done(code);
      });
      if (signal?.aborted) killGroup();
    });
  }
}
