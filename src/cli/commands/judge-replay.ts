import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadPolicyFile } from '../../config/policy-file.js';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import type { Decision, StageSpec, Verdict } from '../../core/judge/judge-types.js';
import { type ReplayResult, replayScenario } from '../../core/judge/replay-scenario.js';
import type { JudgePolicy, TrafficStep } from '../../core/plan/plan-types.js';
import { defaultJudgePolicy, resolvePlan } from '../../core/plan/resolve-plan.js';
import { RELEASE_TYPES, type ReleaseType } from '../../core/rollout/rollout-types.js';
import { parseScenario } from '../../core/scenario/parse-scenario.js';
import type { CommandContext, CommandRegistrar } from '../command-registry.js';
import { EXIT } from '../exit-codes.js';

/** `rollgate judge replay FILE`: run the judge over a scenario file (docs/scenario-format.md). */
export const registerJudgeReplay: CommandRegistrar = (program, context) => {
  let judge = program.commands.find((c) => c.name() === 'judge');
  if (!judge)
    judge = program.command('judge').description('Run and inspect the statistical judge.');
  judge
    .command('replay')
    .description(
      'Replay a scenario file through the judge; print each decision change and the final verdict.',
    )
    .argument('<file>', 'scenario file (JSON Lines, see docs/scenario-format.md)')
    .option(
      '--policy <file>',
      "policy file whose gates and first traffic step to use (default: the built-in policy's gates)",
    )
    .option('--type <type>', 'release type whose strategy gives the stage (with --policy)', 'minor')
    .option('--service <name>', 'service in the policy (with --policy; default: the only one)')
    .option('--json', 'print the result as JSON')
    .action((file: string, options: ReplayOptions) => runReplay(file, options, context));
};

interface ReplayOptions {
  policy?: string;
  type: string;
  service?: string;
  json?: boolean;
}

type ReplayStage = Omit<StageSpec, 'weight' | 'startSeconds'>;

/** The stage a replay runs as when no policy is given: one canary step. */
const DEFAULT_REPLAY_STAGE: ReplayStage = {
  minHoldSeconds: 300,
  maxHoldSeconds: 3600,
  minCanaryRequests: 1000,
  onTimeout: 'pause',
};

/** The judge policy and stage: the policy file's (first analysed traffic step), or the built-in gates. */
async function judgeSetup(
  options: ReplayOptions,
  cwd: string,
): Promise<{ judge: JudgePolicy; stage: ReplayStage }> {
  if (options.policy === undefined)
    return { judge: defaultJudgePolicy(), stage: DEFAULT_REPLAY_STAGE };
  if (!(RELEASE_TYPES as readonly string[]).includes(options.type)) {
    throw new RollgateError('invalid_input', `--type ${options.type} is not a release type`, {
      hint: `use one of ${RELEASE_TYPES.join(', ')}`,
    });
  }
  const policy = await loadPolicyFile({ cwd, file: options.policy });
  const plan = resolvePlan(policy, {
    releaseType: options.type as ReleaseType,
    ...(options.service === undefined ? {} : { service: options.service }),
  });
  const step = plan.steps.find((s): s is TrafficStep => s.kind === 'traffic' && s.analysis);
  if (!step) {
    throw new RollgateError(
      'invalid_input',
      `the ${options.type} strategy of ${options.policy} has no analysed traffic step to replay`,
      { hint: 'choose a --type whose strategy has a canary step' },
    );
  }
  return {
    judge: plan.judge,
    stage: {
      minHoldSeconds: step.minHoldSeconds,
      maxHoldSeconds: step.maxHoldSeconds,
      minCanaryRequests: step.minCanaryRequests,
      onTimeout: step.onTimeout,
    },
  };
}

async function runReplay(
  file: string,
  options: ReplayOptions,
  context: CommandContext,
): Promise<void> {
  const setup = await judgeSetup(options, context.io.cwd);
  const path = resolve(context.io.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RollgateError('not_found', `cannot read scenario file ${file}`, {
      cause: err,
      hint: 'check the path; a scenario is a JSON Lines file (docs/scenario-format.md).',
    });
  }
  const result = replayScenario(parseScenario(text, file), setup.judge, setup.stage);
  context.io.out(options.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : render(result));
  context.setExitCode(exitCodeOf(result.final.decision));
}

export function exitCodeOf(decision: Decision): number {
  switch (decision) {
    case 'promote':
    case 'continue':
      return EXIT.ok;
    case 'rollback':
      return EXIT.rolledBack;
    default:
      return EXIT.paused;
  }
}

function toJson(result: ReplayResult) {
  return {
    scenario: result.scenario,
    changes: result.changes.map((c) => ({ t: c.now, ...c.verdict })),
    final: { t: result.finalAt, ...result.final },
  };
}

function render(result: ReplayResult): string {
  const lines = [`scenario ${result.scenario}: ${result.steps} batches judged`];
  for (const change of result.changes) {
    lines.push(
      '',
      `t=${change.now}s  ${change.verdict.decision.toUpperCase()}  ${change.verdict.reason}`,
    );
    lines.push(...evidence(change.verdict));
  }
  lines.push(
    '',
    `final: ${result.final.decision} at t=${result.finalAt}s${result.final.decidedBy ? ` (${result.final.decidedBy})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

function evidence(v: Verdict): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(3)} %`;
  const out = [
    `  exposure: ${v.exposure.canaryRequests} canary / ${v.exposure.baselineRequests} baseline requests over ${v.exposure.seconds}s`,
    `  error rate: canary ${pct(v.rates.canary.errorRate)}, baseline ${pct(v.rates.baseline.errorRate)}; always-valid p = ${fmtP(v.pValue)}`,
  ];
  const decisive = v.findings.filter((f) => f.gate === v.decidedBy);
  for (const f of decisive.length > 0
    ? decisive
    : v.findings.filter((f) => f.eValue !== undefined && f.gate !== 'srm')) {
    const parts = [`  ${f.message.replace(/\.$/, '')}`];
    if (f.ratioInterval) parts.push(`ratio CS [${f.ratioInterval[0]}, ${f.ratioInterval[1]}]`);
    if (f.pValue !== undefined && f.eValue !== 0) parts.push(`p = ${fmtP(f.pValue)}`);
    out.push(parts.join('; '));
  }
  return out;
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : String(Math.round(p * 1e4) / 1e4);
}
