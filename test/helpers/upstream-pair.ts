import { Pool } from 'undici';
import { type DemoService, startDemoService } from '../../src/demo/demo-service.js';

export type Version = 'stable' | 'canary';

/** Two demo service versions on free 127.0.0.1 ports, answering without delay. */
export async function startUpstreamPair(): Promise<{
  stable: DemoService;
  canary: DemoService;
  close(): Promise<void>;
}> {
  const fast = { '/v1/health': 0, '/v1/contacts': 0, '/v1/jobs': 0, '/v1/payment/process': 0 };
  const stable = await startDemoService({ version: 'stable', latencyMs: fast, testHooks: true });
  const canary = await startDemoService({ version: 'canary', latencyMs: fast, testHooks: true });
  return { stable, canary, close: () => Promise.all([stable.close(), canary.close()]).then() };
}

export const hostPort = (url: string) => new URL(url).host;

/**
 * A client that sends one request through a proxy and says which version answered. It
 * retries idempotent requests once on a connection reset: proxies that reload (nginx)
 * close kept-alive connections, which a well-behaved client retries.
 */
export function proxyClient(url: string): {
  send(o?: {
    path?: string;
    unit?: string;
    override?: Version;
    headers?: Record<string, string>;
  }): Promise<{ version: Version; status: number }>;
  close(): Promise<void>;
} {
  const pool = new Pool(url, { connections: 50 });
  const once = async (o: { path?: string; headers: Record<string, string> }) => {
    const res = await pool.request({
      method: 'GET',
      path: o.path ?? '/v1/health',
      headers: o.headers,
    });
    await res.body.dump();
    const version = res.headers['x-demo-version'];
    if (version !== 'stable' && version !== 'canary') {
      throw new Error(`no x-demo-version in a ${res.statusCode} response`);
    }
    return { version, status: res.statusCode } as { version: Version; status: number };
  };
  return {
    async send(o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.unit !== undefined) headers['x-rollgate-unit'] = o.unit;
      if (o.override !== undefined) headers['x-rollgate-version'] = o.override;
      for (let attempt = 0; ; attempt++) {
        try {
          return await once({ ...(o.path === undefined ? {} : { path: o.path }), headers });
        } catch (err) {
          const code = (err as { code?: string }).code;
          const retryable =
            code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'ECONNREFUSED';
          if (!retryable || attempt >= 3) throw err;
          await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
        }
      }
    },
    close: () => pool.close(),
  };
}
