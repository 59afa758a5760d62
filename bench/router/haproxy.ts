import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Haproxy {
  url: string;
  pid: number;
  /** Runtime API: `set weight be/<server> <w>`. */
  command(cmd: string): Promise<string>;
  stop(): Promise<void>;
}

/** HAProxy with its own config on a free port: two servers, weights stable/canary. */
export async function startHaproxy(opts: {
  port: number;
  stablePort: number;
  canaryPort: number;
  stableWeight: number;
  canaryWeight: number;
}): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-haproxy-'));
  const sock = join(dir, 'admin.sock');
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global
  maxconn 8192
  stats socket ${sock} mode 600 level admin
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend fe
  bind 127.0.0.1:${opts.port}
  default_backend be
backend be
  balance random
  server stable 127.0.0.1:${opts.stablePort} weight ${opts.stableWeight}
  server canary 127.0.0.1:${opts.canaryPort} weight ${opts.canaryWeight}
`,
  );
  const child = spawn('/usr/sbin/haproxy', ['-f', cfg, '-db'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const command = (cmd: string) =>
    new Promise<string>((resolve, reject) => {
      const s = connect(sock);
      let out = '';
      s.on('data', (c) => {
        out += c.toString();
      });
      s.on('end', () => resolve(out));
      s.on('error', reject);
      s.write(`${cmd}\n`);
    });
  for (let i = 0; ; i++) {
    try {
      await command('show info');
      break;
    } catch (err) {
      if (i > 50 || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`haproxy did not start: ${stderr} ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `http://127.0.0.1:${opts.port}`,
    pid: child.pid ?? -1,
    command,
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
