import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand, simple } from '../send-command.js';

/** `rollgate pause [id]`: hold the rollout at its step until someone resumes it. */
export const registerPauseCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'pause',
    description: 'pause a running rollout at its current step',
    command: simple('pause'),
  }).option('--reason <text>', 'why (lands in the timeline and the notification)');
};
