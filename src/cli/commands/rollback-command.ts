import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand, simple } from '../send-command.js';

/** `rollgate rollback [id]`: back to the previous version, in flight or after completion. */
export const registerRollbackCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'rollback',
    description: 'return the service to the previous version (also after the rollout completed)',
    command: simple('rollback'),
    latest: true,
  }).option('--reason <text>', 'why');
};
