import { randomBytes } from 'node:crypto';
import type { App } from '../app.js';
import { RollgateError } from '../core/errors/rollgate-error.js';
import type { ResolvedPlan } from '../core/plan/plan-types.js';
import { resolvePlan } from '../core/plan/resolve-plan.js';
import {
  IN_FLIGHT_STATES,
  type Release,
  type ReleaseType,
  type RolloutSnapshot,
} from '../core/rollout/rollout-types.js';

export interface StartReleaseInput {
  service: string;
  version: string;
  type: ReleaseType;
  /** The version it replaces (default: the one the store says is running). */
  previousVersion?: string;
  /** Default: production, or the service's only environment. */
  environment?: string;
  risk?: Release['risk'];
  notes?: string;
  /** When the release's newest commit was made (ISO 8601): the lead time's start. */
  commitAt?: string;
  /** Who starts it: `@name`. */
  actor: string;
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

/**
 * Records a release and starts its rollout (`rollgate release start`, `POST /releases`):
 * resolves the plan from the policy, finds the rollback target, refuses a second rollout
 * in flight for the service and environment, and builds the service's ports before
 * anything is written (a provider this build lacks fails first). The engine drives the
 * rollout if it runs in this process; otherwise a controller picks it up.
 */
export async function startRelease(
  app: App,
  input: StartReleaseInput,
): Promise<{ release: Release; rollout: RolloutSnapshot; plan: ResolvedPlan }> {
  const policy = app.policy;
  if (!policy) {
    throw new RollgateError('invalid_input', 'this rollgate process was started without a policy', {
      hint: 'start it with the policy file that defines the service (--policy rollgate.yaml)',
    });
  }
  const plan = resolvePlan(policy, {
    releaseType: input.type,
    service: input.service,
    environment: input.environment,
  });
  const previousVersion =
    input.previousVersion ?? (await runningVersion(app, plan.service, plan.environment));
  if (previousVersion === undefined) {
    throw new RollgateError(
      'invalid_input',
      `rollgate has no record of the version of ${plan.service} running in ${plan.environment}`,
      {
        hint: 'say which version the release replaces (the rollback target): --previous-version V',
      },
    );
  }
  if (previousVersion === input.version) {
    throw new RollgateError(
      'invalid_input',
      `${plan.service} ${input.version} is already the version running in ${plan.environment}`,
      { hint: 'release a new version, or give --previous-version' },
    );
  }
  const release: Release = {
    id: `rel-${randomBytes(6).toString('hex')}`,
    service: plan.service,
    version: input.version,
    previousVersion,
    type: input.type,
    risk: input.risk ?? RISK[input.type],
    ...(input.notes === undefined ? {} : { notes: input.notes }),
    ...(input.commitAt === undefined ? {} : { commitAt: input.commitAt }),
    createdAt: new Date(app.clock.now()).toISOString(),
    createdBy: input.actor,
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
  app.servicePorts({ service: plan.service, environment: plan.environment });
  const rollout = await app.engine.start({ release, plan, actor: input.actor });
  return { release, rollout, plan };
}
