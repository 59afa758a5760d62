import type { CommandRegistrar } from '../command-registry.js';
import { registerJudgeReplay } from './judge-replay.js';

/** Every `rollgate` command, in help order. Add one line per new command file. */
export const COMMANDS: CommandRegistrar[] = [registerJudgeReplay];
