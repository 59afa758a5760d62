import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runController } from '../../app/run-controller.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { tokenStoreOf } from '../../server/api-tokens.js';
import {
  createServer,
  DEFAULT_HOST,
  DEFAULT_PORT,
  isLoopback,
} from '../../server/create-server.js';
import { addStoreOptions, DEFAULT_POLICY_FILE, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { stopSignal } from '../follow-rollout.js';
import { VERSION } from '../version.js';

interface ServerOptions {
  policy?: string;
  store?: string;
  host: string;
  port: string;
  speed?: string;
  dashboard?: string;
}

function portOf(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RollgateError('invalid_input', `--port ${text} is not a port number`, {
      hint: 'use 0..65535 (0 picks a free port)',
    });
  }
  return port;
}

/**
 * `rollgate server`: the controller, the HTTP API and the dashboard in one process
 * (docs/server.md), on 127.0.0.1:7300 by default, until SIGINT/SIGTERM.
 */
export function registerServerCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('server')
    .description('run the controller, the HTTP API (/api/v1) and the dashboard in one process')
    .option(
      '--policy <path>',
      `policy file (default: ${DEFAULT_POLICY_FILE} if present; without one the server reads and commands rollouts but drives none)`,
    )
    .option(
      '--host <address>',
      'address to listen on (not loopback: needs an API token)',
      DEFAULT_HOST,
    )
    .option('--port <number>', 'port to listen on (0: a free one)', String(DEFAULT_PORT))
    .option('--speed <factor>', 'run policy time this many times faster (demos, tests)')
    .option('--dashboard <dir>', 'the built dashboard to serve (default: dist/dashboard)');
  addStoreOptions(command).action(async (options: ServerOptions) => {
    const io = context.io;
    const port = portOf(options.port);
    const speed = options.speed === undefined ? undefined : Number(options.speed);
    if (speed !== undefined && !(Number.isFinite(speed) && speed > 0)) {
      throw new RollgateError('invalid_input', `--speed ${options.speed} is not a positive number`);
    }
    const policyFile =
      options.policy ??
      (existsSync(resolve(io.cwd, DEFAULT_POLICY_FILE)) ? DEFAULT_POLICY_FILE : undefined);
    await withCliApp(
      io,
      {
        store: options.store,
        lease: true,
        ...(policyFile === undefined ? {} : { policyFile }),
        ...(speed ? { speed } : {}),
      },
      async (app) => {
        const server = await createServer(app, {
          host: options.host,
          version: VERSION,
          ...(options.dashboard === undefined
            ? {}
            : { dashboardDir: resolve(io.cwd, options.dashboard) }),
          onError: (err) =>
            io.err(
              `rollgate server: internal error: ${err instanceof Error ? err.message : String(err)}\n`,
            ),
        });
        const stop = stopSignal();
        try {
          const url = await server.listen(port);
          io.err(`rollgate server: listening on ${url} (API ${url}/api/v1, dashboard ${url}/)\n`);
          const tokens = await tokenStoreOf(app.store).countTokens();
          if (tokens === 0 && isLoopback(options.host)) {
            io.err(
              'rollgate server: no API token exists yet, so requests from this machine act as admin @local (create one: rollgate token create)\n',
            );
          }
          if (app.policy) {
            io.err(`rollgate server: driving rollouts with ${policyFile}\n`);
            await runController(app, { signal: stop.signal });
          } else {
            io.err('rollgate server: no policy file, so no rollout is driven here (--policy)\n');
            await app.engine.stop();
            await new Promise<void>((done) => {
              if (stop.signal.aborted) done();
              stop.signal.addEventListener('abort', () => done(), { once: true });
            });
          }
        } finally {
          stop.dispose();
          await server.close();
        }
        io.err('rollgate server: stopped\n');
        context.setExitCode(EXIT.ok);
      },
    );
  });
}
