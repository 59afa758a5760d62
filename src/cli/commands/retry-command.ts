import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand, simple } from '../send-command.js';

/** `rollgate retry [id]`: run a failed rollback again. */
export const registerRetryCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'retry',
    description: 'run the rollback of a failed rollout again',
    command: simple('retry'),
    latest: true,
  });
};
