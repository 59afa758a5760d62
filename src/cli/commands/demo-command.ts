import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RollgateError } from '../../core/errors/rollgate-error.js';
import { demoNotifyText } from '../../demo/demo-notify-config.js';
import { type ArmTotals, type DemoProgress, quantileBound } from '../../demo/demo-progress.js';
import { DEMO_SCENARIOS, type DemoScenarioName, SCENARIOS } from '../../demo/demo-scenarios.js';
import { eventLine, renderFrame, renderSummary, verdictLine } from '../../demo/demo-view.js';
import { type DemoSummary, runDemo } from '../../demo/run-demo.js';
import { DEFAULT_PORT } from '../../server/create-server.js';
import type { CommandContext, CommandRegistrar } from '../command-registry.js';
import { type DemoDashboard, serveDemoDashboard, tryOpen } from '../demo-dashboard.js';
import { EXIT } from '../exit-codes.js';
import { VERSION } from '../version.js';

interface DemoCommandOptions {
  scenario: string;
  speed: string;
  rps: string;
  keep?: boolean;
  json?: boolean;
  ui?: boolean;
  port: string;
  open?: boolean;
  notifyConfig?: string;
}

/** The port `--ui` listens on unless `--port` says otherwise (the server's default). */
export const DEMO_UI_PORT = DEFAULT_PORT;

/** `rollgate demo`: watch rollgate catch a bad release and roll it back (issue #5). */
export const registerDemoCommand: CommandRegistrar = (program, context) => {
  program
    .command('demo')
    .description(
      'Run a release of a demo service behind the built-in router, with a fault in the new version, and watch the judge roll it back. Needs nothing but Node.',
    )
    .option(
      '--scenario <name>',
      `what is wrong with the new version: ${DEMO_SCENARIOS.join(', ')}`,
      'error-spike',
    )
    .option('--speed <n>', 'how much faster than real time the rollout clock runs', '60')
    .option('--rps <n>', 'requests per second the load generator sends', '200')
    .option('--keep', 'keep the router and both versions running at the end (Ctrl-C stops them)')
    .option(
      '--notify-config <file>',
      'a YAML file with a `notifications:` section (channels, routes, escalation) the demo delivers to (default: $ROLLGATE_DEMO_NOTIFY)',
    )
    .option('--json', 'print JSON lines: progress, then a summary')
    .option(
      '--ui',
      'serve the dashboard on the demo (127.0.0.1) and print its URL; pauses wait for you, Ctrl-C ends',
    )
    .option(
      '--port <n>',
      'with --ui: the port to listen on (0 = any free port)',
      String(DEMO_UI_PORT),
    )
    .option('--open', 'with --ui: also open the URL with xdg-open, when there is one')
    .action((options: DemoCommandOptions) => runDemoCommand(options, context));
};

async function readNotifyConfig(file: string, cwd: string): Promise<string> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RollgateError('invalid_input', `--notify-config ${file}: cannot read the file`, {
      cause: err,
      hint: 'check the path (relative to the current directory)',
    });
  }
  return demoNotifyText(text, file);
}

function numberOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new RollgateError(
      'invalid_input',
      `--${name} ${value} is not a number from ${min} to ${max}`,
      {
        hint: `e.g. --${name} ${name === 'speed' ? 60 : 200}`,
      },
    );
  }
  return n;
}

async function runDemoCommand(options: DemoCommandOptions, context: CommandContext): Promise<void> {
  if (!(DEMO_SCENARIOS as readonly string[]).includes(options.scenario)) {
    throw new RollgateError('invalid_input', `unknown demo scenario \`${options.scenario}\``, {
      hint: `use one of: ${DEMO_SCENARIOS.join(', ')}`,
    });
  }
  const scenario = SCENARIOS[options.scenario as DemoScenarioName];
  const speed = numberOption('speed', options.speed, 1, 3600);
  const rps = numberOption('rps', options.rps, 10, 2000);
  const port = numberOption('port', options.port, 0, 65_535);
  if (!options.ui && (options.open || options.port !== String(DEMO_UI_PORT))) {
    throw new RollgateError('invalid_input', '--port and --open go with --ui', {
      hint: 'rollgate demo --ui --port 7301',
    });
  }
  const { io } = context;
  // With --ui the URL must stay on screen: no redrawn frame.
  const mode = options.json ? 'json' : io.isTTY && !options.ui ? 'tty' : 'lines';
  const notifyFile = options.notifyConfig ?? io.env.ROLLGATE_DEMO_NOTIFY;
  const notifications = notifyFile ? await readNotifyConfig(notifyFile, io.cwd) : undefined;

  const stop = new AbortController();
  const onSignal = () => stop.abort(new RollgateError('internal', 'interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let drawn = 0;
  let lastVerdict = '';
  const onProgress = (p: DemoProgress) => {
    if (mode === 'tty') {
      const frame = renderFrame(p, scenario, speed);
      io.out(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${frame}`);
      drawn = frame.split('\n').length - 1;
      return;
    }
    if (mode === 'json') {
      if (p.newEvents.length === 0) return;
      io.out(
        `${JSON.stringify({
          type: 'progress',
          seconds: round(p.elapsedSeconds),
          demoSeconds: Math.round(p.demoSeconds),
          state: p.snapshot.state,
          step: p.snapshot.plan.steps[p.snapshot.stepIndex]?.name,
          weight: p.snapshot.weight,
          events: p.newEvents.map((e) => ({ type: e.type, at: e.at, message: e.message })),
          canary: armJson(p.canary),
          baseline: armJson(p.baseline),
          ...(p.verdict ? { verdict: p.verdict } : {}),
        })}\n`,
      );
      return;
    }
    for (const e of p.newEvents) {
      const line = eventLine(e, p.elapsedSeconds);
      if (line) io.out(`${line}\n`);
    }
    const gist = p.verdict
      ? `${p.verdict.decision}:${p.verdict.decidedBy ?? ''}:${p.snapshot.stepIndex}`
      : '';
    if (gist !== lastVerdict && p.verdict) {
      lastVerdict = gist;
      const line = verdictLine(p);
      if (line) io.out(`${line}\n`);
    }
  };

  if (mode === 'lines') io.out(`rollgate demo · ${scenario.name}: ${scenario.story}\n`);
  let dashboard: DemoDashboard | undefined;
  const ui = options.ui
    ? {
        interactive: true,
        onApp: async (app: Parameters<typeof serveDemoDashboard>[0]) => {
          dashboard = await serveDemoDashboard(app, port, VERSION);
          return dashboard.stop;
        },
        onStarted: (rolloutId: string) => {
          if (!dashboard) return;
          const rolloutUrl = dashboard.rolloutUrl(rolloutId);
          if (mode === 'json') {
            io.out(`${JSON.stringify({ type: 'dashboard', url: dashboard.url, rolloutUrl })}\n`);
          } else {
            io.out(`dashboard: ${dashboard.url}\nthis rollout: ${rolloutUrl}\n`);
            io.out('pause, resume or abort it there; Ctrl-C stops the demo\n');
          }
          if (options.open) {
            const why = tryOpen(rolloutUrl);
            if (why) io.err(`rollgate: --open: ${why}\n`);
          }
        },
      }
    : {};
  let summary: DemoSummary;
  try {
    summary = await runDemo({
      scenario: scenario.name,
      speed,
      rps,
      cwd: io.cwd,
      env: io.env,
      ...(notifications ? { notifications } : {}),
      keep: (options.keep ?? false) || (options.ui ?? false),
      signal: stop.signal,
      ...ui,
      onProgress,
      onKept: (s) => {
        if (mode === 'json') io.out(`${JSON.stringify({ type: 'kept', ...s })}\n`);
        else io.out(renderSummary(s));
        if (dashboard && mode !== 'json') {
          const at = dashboard.rolloutUrl(s.rolloutId);
          io.out(
            `the dashboard stays up at ${dashboard.url} (this rollout: ${at}); Ctrl-C stops it\n`,
          );
        }
      },
    });
  } catch (err) {
    // Ctrl-C while the stack was still starting: everything started is already stopped.
    if (!stop.signal.aborted) throw err;
    io.err('rollgate: demo interrupted before the release started\n');
    context.setExitCode(EXIT.interrupted);
    return;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (mode === 'json') io.out(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  else if (!(options.keep || options.ui) || summary.outcome === 'interrupted')
    io.out(renderSummary(summary));
  else io.out('stopped the demo stack\n');
  context.setExitCode(
    summary.outcome === 'interrupted' ? EXIT.interrupted : summary.ok ? EXIT.ok : EXIT.internal,
  );
}

/** An arm's totals over the current step; p99 as the upper bound of its histogram bucket. */
function armJson(t: ArmTotals) {
  const p99 = quantileBound(t.latency, 0.99);
  return {
    requests: t.requests,
    errors: t.errors,
    ...(p99 === undefined || !Number.isFinite(p99) ? {} : { p99Seconds: p99 }),
    ...(t.memory === undefined ? {} : { memory: t.memory }),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
