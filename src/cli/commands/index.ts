import type { CommandRegistrar } from '../command-registry.js';
import { registerActionsCommand } from './actions-command.js';
import { registerInitCommand } from './init-command.js';
import { registerJudgeReplay } from './judge-replay.js';
import { registerMetricsCommand } from './metrics-command.js';
import { registerPlanCommand } from './plan-command.js';
import { registerPostmortemCommand } from './postmortem-command.js';
import { registerReportCommand } from './report-command.js';
import { registerSchemaCommand } from './schema-command.js';
import { registerValidateCommand } from './validate-command.js';

/** Every `rollgate` command, in help order. Add one line per new command file. */
export const COMMANDS: CommandRegistrar[] = [
  registerInitCommand,
  registerValidateCommand,
  registerPlanCommand,
  registerSchemaCommand,
  registerJudgeReplay,
  registerReportCommand,
  registerPostmortemCommand,
  registerActionsCommand,
  registerMetricsCommand,
];
