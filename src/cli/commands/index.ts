import type { CommandRegistrar } from '../command-registry.js';
import { registerAbortCommand } from './abort-command.js';
import { registerActionsCommand } from './actions-command.js';
import { registerControllerCommand } from './controller-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerHistoryCommand } from './history-command.js';
import { registerIncidentsCommand } from './incidents-command.js';
import { registerInitCommand } from './init-command.js';
import { registerJudgeReplay } from './judge-replay.js';
import { registerLogCommand } from './log-command.js';
import { registerMetricsCommand } from './metrics-command.js';
import { registerPauseCommand } from './pause-command.js';
import { registerPlanCommand } from './plan-command.js';
import { registerPostmortemCommand } from './postmortem-command.js';
import { registerPromoteCommand } from './promote-command.js';
import { registerReleaseCommand } from './release-command.js';
import { registerReportCommand } from './report-command.js';
import { registerResumeCommand } from './resume-command.js';
import { registerRetryCommand } from './retry-command.js';
import { registerRiskCommand } from './risk-command.js';
import { registerRollbackCommand } from './rollback-command.js';
import { registerSchemaCommand } from './schema-command.js';
import { registerServerCommand } from './server-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerTokenCommand } from './token-command.js';
import { registerValidateCommand } from './validate-command.js';

/** Every `rollgate` command, in help order. Add one line per new command file. */
export const COMMANDS: CommandRegistrar[] = [
  registerInitCommand,
  registerValidateCommand,
  registerPlanCommand,
  registerSchemaCommand,
  registerReleaseCommand,
  registerStatusCommand,
  registerPauseCommand,
  registerResumeCommand,
  registerPromoteCommand,
  registerAbortCommand,
  registerRollbackCommand,
  registerRetryCommand,
  registerLogCommand,
  registerHistoryCommand,
  registerControllerCommand,
  registerJudgeReplay,
  registerReportCommand,
  registerPostmortemCommand,
  registerActionsCommand,
  registerIncidentsCommand,
  registerMetricsCommand,
  registerRiskCommand,
  registerDemoCommand,
  registerServerCommand,
  registerTokenCommand,
];
