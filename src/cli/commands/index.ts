import type { CommandRegistrar } from '../command-registry.js';
import { registerDemoCommand } from './demo-command.js';
import { registerInitCommand } from './init-command.js';
import { registerJudgeReplay } from './judge-replay.js';
import { registerPlanCommand } from './plan-command.js';
import { registerSchemaCommand } from './schema-command.js';
import { registerValidateCommand } from './validate-command.js';

/** Every `rollgate` command, in help order. Add one line per new command file. */
export const COMMANDS: CommandRegistrar[] = [
  registerInitCommand,
  registerValidateCommand,
  registerPlanCommand,
  registerSchemaCommand,
  registerJudgeReplay,
  registerDemoCommand,
];
