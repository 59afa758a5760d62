import type { Command } from 'commander';
import { DEFAULT_POLICY_FILE, loadPolicyFile, policyIssuesOf } from '../../config/policy-file.js';
import { coerceError } from '../../core/errors/rollgate-error.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';

/** `rollgate validate [file]`: every problem at once, each with file:line:column. */
export function registerValidateCommand(program: Command, context: CommandContext): void {
  program
    .command('validate')
    .description('check a policy file (default ./rollgate.yaml)')
    .argument('[file]', 'the policy file', DEFAULT_POLICY_FILE)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      try {
        const policy = await loadPolicyFile({ cwd: context.io.cwd, file });
        const summary = {
          services: Object.keys(policy.services).length,
          strategies: Object.keys(policy.strategies).length,
          gates: Object.values(policy.gates).filter((g) => g.enabled).length,
        };
        if (options.json) {
          context.io.out(
            `${JSON.stringify({ file, valid: true, ...summary, issues: [] }, null, 2)}\n`,
          );
        } else {
          context.io.out(
            `${file}: valid (${summary.services} service${summary.services === 1 ? '' : 's'}, ${summary.strategies} strategies, ${summary.gates} gates)\n`,
          );
        }
        context.setExitCode(EXIT.ok);
      } catch (err) {
        const error = coerceError(err);
        if (!options.json || error.code === 'internal') throw error;
        const issues = error.code === 'invalid_policy' ? policyIssuesOf(error) : [];
        const result = { file, valid: false, error: error.message, issues };
        context.io.out(`${JSON.stringify(result, null, 2)}\n`);
        context.setExitCode(exitCodeFor(error.code));
      }
    });
}
