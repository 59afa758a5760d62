import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NginxRouterOptions } from '../../src/adapters/routers/nginx/nginx-router.js';
import { renderNginxUpstream } from '../../src/adapters/routers/nginx/nginx-upstream-file.js';
import { freePort, type ServerProcess, startProcess, tempDir, waitFor } from './real-servers.js';
import { hostPort, proxyClient, startUpstreamPair } from './upstream-pair.js';

export const NGINX = '/usr/sbin/nginx';

/** The main nginx.conf the docs recommend around rollgate's include (docs/adapters/nginx.md). */
export function nginxConfig(o: { dir: string; port: number; include: string }): string {
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${o.dir}/nginx.pid;
error_log ${o.dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${o.dir}/tmp/body;
  proxy_temp_path ${o.dir}/tmp/proxy;
  fastcgi_temp_path ${o.dir}/tmp/fastcgi;
  uwsgi_temp_path ${o.dir}/tmp/uwsgi;
  scgi_temp_path ${o.dir}/tmp/scgi;
  # Sticky units by header; requests without one are spread by weight (random key).
  map $http_x_rollgate_unit $rollgate_unit_key {
    "" $request_id;
    default $http_x_rollgate_unit;
  }
  # The override header picks a version's own upstream.
  map $http_x_rollgate_version $rollgate_pool {
    canary demo_canary;
    stable demo_stable;
    default demo;
  }
  include ${o.include};
  server {
    listen 127.0.0.1:${o.port};
    location / {
      proxy_pass http://$rollgate_pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502;
    }
  }
}
`;
}

export interface NginxStack {
  url: string;
  routerOptions: NginxRouterOptions;
  process: ServerProcess;
  dir: string;
  send: ReturnType<typeof proxyClient>['send'];
  close(): Promise<void>;
}

/** nginx with its own -c config and -p prefix in a temp dir, before two demo versions. */
export async function startNginxStack(): Promise<NginxStack> {
  const dir = await tempDir('nginx');
  await chmod(dir.path, 0o755);
  await mkdir(join(dir.path, 'tmp'));
  const upstreams = await startUpstreamPair();
  const port = await freePort();
  const include = join(dir.path, 'demo-upstream.conf');
  const conf = join(dir.path, 'nginx.conf');
  const flags = `-c ${conf} -p ${dir.path}/ -e ${dir.path}/error.log`;
  const routerOptions: NginxRouterOptions = {
    configFile: include,
    upstream: 'demo',
    stable: hostPort(upstreams.stable.url),
    canary: hostPort(upstreams.canary.url),
    hashKey: '$rollgate_unit_key',
    testCommand: `${NGINX} -t -q ${flags}`,
    reloadCommand: `${NGINX} -s reload ${flags}`,
  };
  await writeFile(include, renderNginxUpstream({ ...routerOptions, totalWeight: 200 }, 0));
  await writeFile(conf, nginxConfig({ dir: dir.path, port, include }));
  const proc = startProcess(NGINX, [
    '-c',
    conf,
    '-p',
    `${dir.path}/`,
    '-e',
    `${dir.path}/error.log`,
  ]);
  const client = proxyClient(`http://127.0.0.1:${port}`);
  const close = async () => {
    await client.close();
    await proc.stop('SIGQUIT');
    await upstreams.close();
    await dir.remove();
  };
  try {
    await waitFor('nginx', async () => {
      if (proc.child.exitCode !== null) throw new Error(`nginx exited: ${proc.output()}`);
      await client.send({});
      return true;
    });
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    routerOptions,
    process: proc,
    dir: dir.path,
    send: client.send,
    close,
  };
}
