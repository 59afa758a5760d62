import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand, simple } from '../send-command.js';

/** `rollgate resume [id]`: go on from a pause (restarts the step; approves an approval). */
export const registerResumeCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'resume',
    description: 'resume a paused rollout (the step starts again; an approval is granted)',
    command: simple('resume'),
  });
};
