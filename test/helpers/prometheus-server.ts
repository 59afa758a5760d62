import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, type ServerProcess, startProcess, tempDir, waitFor } from './real-servers.js';

export const PROMETHEUS = '/usr/bin/prometheus';

export interface ScrapeTarget {
  /** host:port serving /metrics */
  address: string;
  labels: Record<string, string>;
}

export interface PrometheusServer {
  url: string;
  /** SIGKILL, as a crash: no clean shutdown. */
  kill(): Promise<void>;
  /** Start again on the same port and data directory. */
  restart(): Promise<void>;
  /** Newest sample time (ms) of `selector`, or undefined. */
  newestSample(selector: string): Promise<number | undefined>;
  close(): Promise<void>;
}

/** A real Prometheus on a free port, scraping `targets` every second, with its own temp dir. */
export async function startPrometheus(targets: ScrapeTarget[]): Promise<PrometheusServer> {
  const dir = await tempDir('prometheus');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  await mkdir(join(dir.path, 'data'));
  const config = join(dir.path, 'prometheus.yml');
  await writeFile(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'rollgate-test',
          static_configs: targets.map((t) => ({ targets: [t.address], labels: t.labels })),
        },
      ],
    }),
  );
  let proc: ServerProcess | undefined;
  const query = async (q: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    return body.data?.result ?? [];
  };
  const start = async () => {
    const p = startProcess(PROMETHEUS, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    proc = p;
    await waitFor(
      'Prometheus ready',
      async () => {
        if (p.child.exitCode !== null) throw new Error(`prometheus exited: ${p.output()}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      60_000,
      200,
    );
    // Every target scraped at least once.
    await waitFor(
      'first scrape',
      async () => (await query('up == 1')).length === targets.length,
      60_000,
      200,
    );
  };
  const server: PrometheusServer = {
    url,
    async kill() {
      await proc?.stop('SIGKILL');
    },
    restart: start,
    async newestSample(selector) {
      const r = await query(`max(timestamp(${selector}))`);
      const v = r[0]?.value[1];
      return v === undefined ? undefined : Number(v) * 1000;
    },
    async close() {
      await proc?.stop();
      await dir.remove();
    },
  };
  try {
    await start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return server;
}
