import type { CommandRegistrar } from '../command-registry.js';

/** Every `rollgate` command, in help order. Add one line per new command file. */
export const COMMANDS: CommandRegistrar[] = [];
