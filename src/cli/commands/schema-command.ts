import type { Command } from 'commander';
import { policyJsonSchemaText } from '../../core/policy/policy-schema.js';
import type { CommandContext } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';

/** `rollgate schema`: the policy's JSON Schema (draft 2020-12), generated from the zod model. */
export function registerSchemaCommand(program: Command, context: CommandContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of rollgate.yaml (for editors)')
    .action(() => {
      context.io.out(policyJsonSchemaText());
      context.setExitCode(EXIT.ok);
    });
}
