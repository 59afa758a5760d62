import { type Command, Option } from 'commander';
import { startNotifications } from '../../app/run-notifications.js';
import { startRelease } from '../../app/start-release.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { RELEASE_TYPES, type Release, type ReleaseType } from '../../core/rollout/rollout-types.js';
import { actorOf, addStoreOptions, DEFAULT_POLICY_FILE, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeForState, followRollout, stopSignal, WAIT_ENDS } from '../follow-rollout.js';
import { addRemoteOptions, RemoteApi, type RemoteOptions } from '../remote-api.js';
import { followRemote, startRemote } from '../remote-commands.js';
import { renderEvent, renderRollout } from '../render-rollout.js';

interface StartOptions extends RemoteOptions {
  service: string;
  version: string;
  type: ReleaseType;
  previousVersion?: string;
  env?: string;
  risk?: Release['risk'];
  notes?: string;
  file: string;
  wait?: boolean;
  json?: boolean;
  store?: string;
  actor?: string;
  speed?: string;
}

/** The release the options describe, locally or for the server (options not given left out). */
function releaseInput(options: StartOptions) {
  return {
    service: options.service,
    version: options.version,
    type: options.type,
    ...(options.previousVersion === undefined ? {} : { previousVersion: options.previousVersion }),
    ...(options.env === undefined ? {} : { environment: options.env }),
    ...(options.risk === undefined ? {} : { risk: options.risk }),
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  };
}

function speedOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new RollgateError('invalid_input', `--speed ${text} is not a positive number`, {
      hint: '--speed 60 makes a minute of policy time pass in a second (demos, tests)',
    });
  }
  return speed;
}

/** How long `--wait` keeps delivering the last notifications after the rollout ended. */
const NOTIFY_FLUSH_MS = 10_000;

/** `rollgate release start`: record a release and start its rollout (and, with --wait, run it). */
export function registerReleaseCommand(program: Command, context: CommandContext): void {
  const release = program.command('release').description('releases: start one');
  const start = release
    .command('start')
    .description(
      'start the rollout of a new version (with --wait: run it and exit with its outcome)',
    )
    .requiredOption('--service <name>', 'service to release')
    .requiredOption('--version <version>', 'the new version')
    .addOption(
      new Option('--type <type>', 'release type').choices(RELEASE_TYPES).makeOptionMandatory(),
    )
    .option('--previous-version <version>', 'the version it replaces (default: the one running)')
    .option('--env <name>', 'environment (default: production, or the only one)')
    .addOption(new Option('--risk <level>', 'risk level').choices(['low', 'medium', 'high']))
    .option('--notes <text>', 'release notes')
    .option('-f, --file <path>', 'policy file', DEFAULT_POLICY_FILE)
    .option(
      '--wait',
      'drive the rollout here until it ends: exit 0 completed, 3 rolled back, 4 paused, 5 failed',
    )
    .option('--speed <factor>', 'run policy time this many times faster (demos, tests)')
    .option('--json', 'print the rollout as JSON');
  addRemoteOptions(start);
  addStoreOptions(start).action(async (options: StartOptions) => {
    const io = context.io;
    const remote = RemoteApi.from(options, io);
    if (remote) {
      await remoteStart(remote, options, context);
      return;
    }
    const actor = actorOf(options, io);
    const speed = speedOf(options.speed);
    await withCliApp(
      io,
      {
        store: options.store,
        policyFile: options.file,
        lease: true,
        ...(speed === undefined ? {} : { speed }),
      },
      async (app) => {
        // This process's engine only drives the rollout with --wait: stop it first otherwise,
        // so the start is recorded and `rollgate controller` picks the rollout up.
        if (!options.wait) await app.engine.stop();
        const { rollout: started, plan } = await startRelease(app, {
          ...releaseInput(options),
          actor,
        });
        if (!options.wait) {
          if (options.json) io.out(`${JSON.stringify(started, null, 2)}\n`);
          else {
            io.out(
              `started ${started.id}: ${started.service} ${started.version} (replacing ${started.previousVersion}) in ${started.environment}, ${plan.steps.length} steps\n` +
                `  a controller drives it: \`rollgate controller\` (or start with --wait)\n` +
                `  follow it: rollgate status ${started.id} --watch\n`,
            );
          }
          context.setExitCode(EXIT.ok);
          return;
        }
        if (!options.json)
          io.out(`started ${started.id}; running it here (Ctrl-C leaves it to a controller)\n`);
        const stop = stopSignal();
        const notifications = startNotifications(app, stop.signal);
        let final: Awaited<ReturnType<typeof followRollout>>;
        try {
          final = await followRollout(app, started.id, {
            drive: true,
            until: WAIT_ENDS,
            signal: stop.signal,
            ...(options.json ? {} : { onEvent: (e) => io.out(`${renderEvent(e)}\n`) }),
          });
          // The notifications of the end (rolled back, incident) go out before exiting.
          await notifications.flush(NOTIFY_FLUSH_MS);
        } finally {
          await notifications.stop();
          stop.dispose();
        }
        // The rollback reaction this process started (post-mortem, forensics, risks; ADR
        // 0140) finishes before the process exits, so CI without a controller gets them.
        if (final.state === 'rolled_back') await app.records?.settled();
        if (options.json) io.out(`${JSON.stringify(final, null, 2)}\n`);
        else io.out(renderRollout(final, [], 0));
        if (stop.signal.aborted && !WAIT_ENDS.includes(final.state)) {
          io.err(
            `rollgate: stopped waiting; rollout ${final.id} is ${final.state} and continues when a controller runs\n`,
          );
          context.setExitCode(EXIT.interrupted);
          return;
        }
        context.setExitCode(exitCodeForState(final.state));
      },
    );
  });
}

/** `release start --server`: the server records the release; --wait follows it over the API. */
async function remoteStart(
  api: RemoteApi,
  options: StartOptions,
  context: CommandContext,
): Promise<void> {
  const io = context.io;
  const { rollout: started, stepCount } = await startRemote(api, releaseInput(options));
  if (!options.wait) {
    if (options.json) io.out(`${JSON.stringify(started, null, 2)}\n`);
    else {
      io.out(
        `started ${started.id}: ${started.service} ${started.version} (replacing ${started.previousVersion}) in ${started.environment}, ${stepCount} steps\n` +
          `  the server at ${api.baseUrl} drives it\n` +
          `  follow it: rollgate status ${started.id} --watch --server ${api.baseUrl}\n`,
      );
    }
    context.setExitCode(EXIT.ok);
    return;
  }
  if (!options.json) io.out(`started ${started.id}; following it on ${api.baseUrl}\n`);
  const stop = stopSignal();
  let final: Awaited<ReturnType<typeof followRemote>>;
  try {
    final = await followRemote(api, started.id, {
      until: WAIT_ENDS,
      signal: stop.signal,
      ...(options.json ? {} : { onEvent: (e) => io.out(`${renderEvent(e)}\n`) }),
    });
  } finally {
    stop.dispose();
  }
  if (options.json) io.out(`${JSON.stringify(final, null, 2)}\n`);
  else io.out(renderRollout(final, [], 0));
  if (stop.signal.aborted && !WAIT_ENDS.includes(final.state)) {
    io.err(
      `rollgate: stopped waiting; rollout ${final.id} is ${final.state} and continues on the server\n`,
    );
    context.setExitCode(EXIT.interrupted);
    return;
  }
  context.setExitCode(exitCodeForState(final.state));
}
