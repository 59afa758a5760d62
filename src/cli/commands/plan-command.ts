import { type Command, Option } from 'commander';
import { DEFAULT_POLICY_FILE, loadPolicyFile } from '../../config/policy-file.js';
import { resolvePlanDetails } from '../../core/plan/resolve-plan.js';
import { RELEASE_TYPES, type ReleaseType } from '../../core/rollout/rollout-types.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';
import { renderPlan } from '../render-plan.js';

interface PlanOptions {
  type: ReleaseType;
  service?: string;
  env?: string;
  file: string;
  json?: boolean;
}

/** `rollgate plan --type minor`: the resolved steps, holds, gates and expected duration. */
export function registerPlanCommand(program: Command, context: CommandContext): void {
  program
    .command('plan')
    .description('show the steps, holds and gates a release would go through')
    .addOption(
      new Option('--type <type>', 'release type').choices(RELEASE_TYPES).makeOptionMandatory(),
    )
    .option('--service <name>', 'service (default: the only one)')
    .option('--env <name>', 'environment (default: production, or the only one)')
    .option('-f, --file <path>', 'policy file', DEFAULT_POLICY_FILE)
    .option('--json', 'print the plan as JSON')
    .action(async (options: PlanOptions) => {
      const policy = await loadPolicyFile({ cwd: context.io.cwd, file: options.file });
      const details = resolvePlanDetails(policy, {
        releaseType: options.type,
        service: options.service,
        environment: options.env,
      });
      if (options.json) {
        const { plan, ...notes } = details;
        context.io.out(`${JSON.stringify({ ...plan, ...notes }, null, 2)}\n`);
      } else {
        context.io.out(renderPlan(details));
      }
      context.setExitCode(EXIT.ok);
    });
}
