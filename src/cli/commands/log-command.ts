import type { CommandRegistrar } from '../command-registry.js';
import { rolloutCommand } from '../send-command.js';

/** `rollgate log "observation" [id]`: add a person's observation to the release log. */
export const registerLogCommand: CommandRegistrar = (program, context) => {
  rolloutCommand(program, context, {
    name: 'log',
    text: 'observation',
    description: "add an observation to a rollout's timeline (the release log)",
    command: (_options, text) => ({ name: 'observe', text: text ?? '' }),
    latest: true,
  });
};
