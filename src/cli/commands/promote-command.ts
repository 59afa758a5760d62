import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand } from '../send-command.js';

/** `rollgate promote [id] [--full]`: end the current step now (or go straight to 100 %). */
export const registerPromoteCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'promote',
    description: 'end the current step now and go to the next (--full: skip to 100 %)',
    command: (options) => ({ name: options.full ? 'promote_full' : 'promote' }),
  }).option('--full', 'skip every remaining traffic step below 100 %');
};
