import { connect, type Socket } from 'node:net';
import { RollgateError } from '../../../core/errors/rollgate-error.js';

/** Where HAProxy's runtime API listens: a unix socket path, or host:port for `stats socket ipv4@…`. */
export function parseRuntimeApiAddress(
  address: string,
): { path: string } | { host: string; port: number } {
  const tcp = /^(?:tcp:\/\/)?(\[[^\]]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  if (tcp && !address.startsWith('/')) {
    return { host: (tcp[1] as string).replace(/^\[|\]$/g, ''), port: Number(tcp[2]) };
  }
  return { path: address.replace(/^unix:/, '') };
}

/**
 * One command over HAProxy's runtime API (non-interactive mode: HAProxy answers and closes
 * the connection). Resolves with the answer's text; connection problems are retryable
 * provider errors.
 */
export function runtimeApiCommand(
  address: string,
  command: string,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const where = parseRuntimeApiAddress(address);
    let socket: Socket;
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: RollgateError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const fail = (message: string, cause?: unknown) =>
      finish(
        new RollgateError('provider_error', `HAProxy runtime API at ${address}: ${message}`, {
          retryable: true,
          cause,
          hint: 'check that HAProxy runs and has `stats socket <path> level admin` (or `ipv4@host:port level admin`) in its global section',
        }),
      );
    const onAbort = () => fail('aborted');
    const timer = setTimeout(
      () => fail(`no answer within ${options.timeoutMs} ms to "${command}"`),
      options.timeoutMs,
    );
    if (options.signal?.aborted) {
      clearTimeout(timer);
      reject(new RollgateError('provider_error', `HAProxy runtime API at ${address}: aborted`));
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket = 'path' in where ? connect(where.path) : connect(where.port, where.host);
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (err) => fail(err.message, err));
  });
}
