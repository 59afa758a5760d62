import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand, simple } from '../send-command.js';

/** `rollgate abort [id]`: roll back a rollout in flight at once (no judge involved). */
export const registerAbortCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'abort',
    description: 'roll back a rollout in flight at once',
    command: simple('abort'),
  }).option('--reason <text>', 'why');
};
