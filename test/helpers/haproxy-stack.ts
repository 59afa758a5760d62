import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runtimeApiCommand } from '../../src/adapters/routers/haproxy/haproxy-runtime-api.js';
import { freePort, type ServerProcess, startProcess, tempDir, waitFor } from './real-servers.js';
import { hostPort, proxyClient, startUpstreamPair } from './upstream-pair.js';

export const HAPROXY = '/usr/sbin/haproxy';

/** The HAProxy configuration docs/adapters/haproxy.md recommends, for one backend. */
export function haproxyConfig(o: {
  socket: string;
  tcpAdmin?: number;
  port: number;
  stable: string;
  canary: string;
}): string {
  return `global
  stats socket ${o.socket} mode 600 level admin
${o.tcpAdmin === undefined ? '' : `  stats socket ipv4@127.0.0.1:${o.tcpAdmin} level admin\n`}  maxconn 2000
  log stderr format raw local0 err

defaults
  mode http
  log global
  option httplog
  option log-separate-errors
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option redispatch 1
  retries 3
  retry-on conn-failure empty-response

frontend fe
  bind 127.0.0.1:${o.port}
  default_backend demo

backend demo
  balance hdr(x-rollgate-unit)
  hash-type consistent sdbm avalanche
  use-server canary if { req.hdr(x-rollgate-version) -m str canary }
  use-server stable if { req.hdr(x-rollgate-version) -m str stable }
  server stable ${o.stable} weight 200
  server canary ${o.canary} weight 0
`;
}

export interface HaproxyStack {
  url: string;
  socket: string;
  tcpAdmin: number;
  process: ServerProcess;
  upstreams: Awaited<ReturnType<typeof startUpstreamPair>>;
  send: ReturnType<typeof proxyClient>['send'];
  close(): Promise<void>;
}

/** HAProxy with its own config in a temp dir, in front of two demo service versions. */
export async function startHaproxyStack(): Promise<HaproxyStack> {
  const dir = await tempDir('haproxy');
  const upstreams = await startUpstreamPair();
  const port = await freePort();
  const tcpAdmin = await freePort();
  const socket = join(dir.path, 'admin.sock');
  const cfg = join(dir.path, 'haproxy.cfg');
  await writeFile(
    cfg,
    haproxyConfig({
      socket,
      tcpAdmin,
      port,
      stable: hostPort(upstreams.stable.url),
      canary: hostPort(upstreams.canary.url),
    }),
  );
  const proc = startProcess(HAPROXY, ['-db', '-f', cfg], dir.path);
  const client = proxyClient(`http://127.0.0.1:${port}`);
  const close = async () => {
    await client.close();
    await proc.stop();
    await upstreams.close();
    await dir.remove();
  };
  try {
    await waitFor('HAProxy runtime API', async () => {
      if (proc.child.exitCode !== null) throw new Error(`haproxy exited: ${proc.output()}`);
      await runtimeApiCommand(socket, 'show info', { timeoutMs: 1_000 });
      return true;
    });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    socket,
    tcpAdmin,
    process: proc,
    upstreams,
    send: client.send,
    close,
  };
}
