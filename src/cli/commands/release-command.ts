import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { startNotifications } from '../../app/run-notifications.js';
import type { App } from '../../app.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { resolvePlan } from '../../core/plan/resolve-plan.js';
import {
  IN_FLIGHT_STATES,
  RELEASE_TYPES,
  type Release,
  type ReleaseType,
} from '../../core/rollout/rollout-types.js';
import { actorOf, addStoreOptions, DEFAULT_POLICY_FILE, withCliApp } from '../cli-app.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { exitCodeForState, followRollout, stopSignal, WAIT_ENDS } from '../follow-rollout.js';
import { renderEvent, renderRollout } from '../render-rollout.js';

interface StartOptions {
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

const RISK: Record<ReleaseType, Release['risk']> = {
  patch: 'low',
  minor: 'medium',
  major: 'high',
  breaking: 'high',
};

/** The version running now: the last release that completed, or what a rollback went back to. */
async function runningVersion(app: App, service: string, environment: string) {
  const rollouts = await app.store.listRollouts({ service });
  for (const r of rollouts) {
    if (r.environment !== environment) continue;
    if (r.state === 'completed') return r.version;
    if (r.state === 'rolled_back') return r.previousVersion;
  }
  return undefined;
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
  addStoreOptions(start).action(async (options: StartOptions) => {
    const io = context.io;
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
        const policy = app.policy;
        if (!policy) throw new RollgateError('internal', 'policy not loaded');
        const plan = resolvePlan(policy, {
          releaseType: options.type,
          service: options.service,
          environment: options.env,
        });
        const previousVersion =
          options.previousVersion ?? (await runningVersion(app, plan.service, plan.environment));
        if (previousVersion === undefined) {
          throw new RollgateError(
            'invalid_input',
            `rollgate has no record of the version of ${plan.service} running in ${plan.environment}`,
            {
              hint: 'say which version the release replaces (the rollback target): --previous-version V',
            },
          );
        }
        if (previousVersion === options.version) {
          throw new RollgateError(
            'invalid_input',
            `${plan.service} ${options.version} is already the version running in ${plan.environment}`,
            { hint: 'release a new version, or give --previous-version' },
          );
        }
        const rel: Release = {
          id: `rel-${randomBytes(6).toString('hex')}`,
          service: plan.service,
          version: options.version,
          previousVersion,
          type: options.type,
          risk: options.risk ?? RISK[options.type],
          ...(options.notes === undefined ? {} : { notes: options.notes }),
          createdAt: new Date(app.clock.now()).toISOString(),
          createdBy: actor,
        };
        const inFlight = await app.store.listRollouts({
          service: plan.service,
          states: IN_FLIGHT_STATES,
        });
        const running = inFlight.find((r) => r.environment === plan.environment);
        if (running) {
          throw new RollgateError(
            'conflict',
            `${plan.service} already has rollout ${running.id} (${running.version}, ${running.state}) in flight in ${plan.environment}; nothing was written`,
            {
              hint: `one rollout per service and environment at a time: wait for ${running.id} to end, or abort it (rollgate abort ${running.id})`,
              details: { runningRolloutId: running.id },
            },
          );
        }
        // Build the ports now: a type this build lacks fails before anything is written.
        app.servicePorts({ service: plan.service, environment: plan.environment });
        // This process's engine only drives the rollout with --wait: stop it first otherwise,
        // so the start is recorded and `rollgate controller` picks the rollout up.
        if (!options.wait) await app.engine.stop();
        const started = await app.engine.start({ release: rel, plan, actor });
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
