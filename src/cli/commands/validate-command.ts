import type { Command } from 'commander';
import { type ConnectResult, connectChecks } from '../../app/connect-checks.js';
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
    .option('--connect', 'also run every Prometheus query once and reach each HAProxy runtime API')
    .action(async (file: string, options: { json?: boolean; connect?: boolean }) => {
      try {
        const policy = await loadPolicyFile({ cwd: context.io.cwd, file });
        const summary = {
          services: Object.keys(policy.services).length,
          strategies: Object.keys(policy.strategies).length,
          gates: Object.values(policy.gates).filter((g) => g.enabled).length,
        };
        const connect: ConnectResult[] | undefined = options.connect
          ? await connectChecks(policy, { env: context.io.env, cwd: context.io.cwd }, Date.now())
          : undefined;
        const failed = (connect ?? []).filter((c) => !c.ok);
        if (options.json) {
          context.io.out(
            `${JSON.stringify({ file, valid: failed.length === 0, ...summary, issues: [], ...(connect ? { connect } : {}) }, null, 2)}\n`,
          );
        } else {
          context.io.out(
            `${file}: valid (${summary.services} service${summary.services === 1 ? '' : 's'}, ${summary.strategies} strategies, ${summary.gates} gates)\n`,
          );
          for (const c of connect ?? []) {
            context.io.out(
              `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.service}/${c.environment} ${c.what}: ${c.message}${!c.ok && c.query ? `\n       query: ${c.query}` : ''}\n`,
            );
          }
        }
        context.setExitCode(failed.length === 0 ? EXIT.ok : EXIT.invalidInput);
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
