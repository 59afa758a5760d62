import type { TimelineEvent } from '../core/rollout/rollout-types.js';
import { type ArmTotals, type DemoProgress, errorRate, quantileBound } from './demo-progress.js';
import type { DemoScenario } from './demo-scenarios.js';
import type { DemoSummary } from './run-demo.js';

const BAR = 20;

/** The live view: one frame, redrawn in place on a terminal. */
export function renderFrame(p: DemoProgress, scenario: DemoScenario, speed: number): string {
  const s = p.snapshot;
  const lines: string[] = [];
  lines.push(`rollgate demo · ${scenario.name}: ${scenario.story}`);
  lines.push(
    `${s.service} ${s.previousVersion} → ${s.version} (${s.releaseType})   ${s.state.replace('_', ' ')}   ` +
      `${p.elapsedSeconds.toFixed(1)} s (demo clock ${clockTime(p.demoSeconds)} at ${speed}x)`,
  );
  lines.push('');
  s.plan.steps.forEach((step, i) => {
    const st = s.steps[i]?.state ?? 'pending';
    const mark =
      st === 'succeeded'
        ? '✓'
        : st === 'failed'
          ? '✗'
          : st === 'skipped'
            ? '-'
            : i === s.stepIndex && (s.state === 'running' || s.state === 'paused')
              ? '▶'
              : ' ';
    let line = `  ${mark} ${step.name.padEnd(22)}`;
    if (step.kind === 'traffic') {
      line += ` ${bar(step.weight)} ${String(step.weight).padStart(3)} %`;
      if (step.analysis) line += `   hold ${clockTime(step.minHoldSeconds)}`;
    }
    if (step.kind === 'watch') line += ` ${clockTime(step.durationSeconds)}`;
    lines.push(line);
  });
  lines.push('');
  lines.push(`  canary weight ${bar(s.weight)} ${s.weight} % of new requests to ${s.version}`);
  lines.push('');
  lines.push(
    `             ${'requests'.padStart(9)} ${'errors'.padStart(7)} ${'error rate'.padStart(11)} ${'p99'.padStart(8)}`,
  );
  lines.push(armLine('baseline', p.baseline));
  lines.push(armLine('canary', p.canary));
  lines.push('');
  if (p.verdict) {
    lines.push(
      `  judge: ${p.verdict.decision}${p.verdict.decidedBy ? ` (${p.verdict.decidedBy})` : ''}`,
    );
    lines.push(`    ${p.verdict.reason}`);
  } else {
    lines.push('  judge: waiting for the first batch');
  }
  return `${lines.join('\n')}\n`;
}

function armLine(name: string, t: ArmTotals): string {
  const p99 = quantileBound(t.latency, 0.99);
  const p99Text =
    p99 === undefined ? '–' : p99 === Number.POSITIVE_INFINITY ? '> 10 s' : `≤ ${ms(p99)}`;
  const memory = t.memory === undefined ? '' : `   memory ${(100 * t.memory).toFixed(0)} %`;
  return `  ${name.padEnd(10)} ${String(t.requests).padStart(9)} ${String(t.errors).padStart(7)} ${pct(errorRate(t)).padStart(11)} ${p99Text.padStart(8)}${memory}`;
}

function bar(weight: number): string {
  const n = Math.round((weight / 100) * BAR);
  return `[${'█'.repeat(n)}${'░'.repeat(BAR - n)}]`;
}

/** One plain line per timeline event (no terminal, or piped output). */
export function eventLine(e: TimelineEvent, elapsedSeconds: number): string | undefined {
  if (e.type === 'judge.verdict' || e.type === 'watch.sample') return undefined;
  return `[${elapsedSeconds.toFixed(1).padStart(6)} s] ${e.message}`;
}

/** A plain line for a verdict, when the decision or its reason's gist changes. */
export function verdictLine(p: DemoProgress): string | undefined {
  const v = p.verdict;
  if (!v) return undefined;
  const c = p.canary;
  const b = p.baseline;
  return (
    `[${p.elapsedSeconds.toFixed(1).padStart(6)} s] judge ${v.decision}: ${v.reason} ` +
    `(canary ${c.errors}/${c.requests} errors, baseline ${b.errors}/${b.requests})`
  );
}

export function renderSummary(s: DemoSummary): string {
  const lines: string[] = [''];
  const outcome = s.outcome.replace('_', ' ');
  lines.push(
    s.ok
      ? `✓ ${outcome}, as expected for ${s.scenario} (${s.seconds} s, ${clockTime(s.demoSeconds)} on the demo clock)`
      : `✗ ${outcome}, but ${s.scenario} should end ${s.expected.replace('_', ' ')} (${s.seconds} s)`,
  );
  if (s.pauseReason) lines.push(`  paused: ${s.pauseReason}`);
  const d = s.detection;
  if (d) {
    lines.push(
      `  detected ${d.seconds} s after the canary got traffic (${clockTime(d.demoSeconds)} demo time), ` +
        `at ${d.weight} % (${d.step}), after ${plural(d.canaryRequests, 'canary request')} and ${plural(d.canaryErrors, 'error')}`,
    );
    lines.push(`  why: ${d.reason}`);
    if (s.scenario === 'error-spike') {
      lines.push(
        '  seed 000: the same fault took 3 minutes to notice and 7 minutes to roll back by hand',
      );
    }
  }
  if (s.load) {
    lines.push(
      `  load: ${s.load.sent} requests sent at ${s.rps}/s, ${s.load.failed} failed, ${s.load.dropped} dropped`,
    );
  }
  lines.push(`  store:  ${s.files.store} (rollout ${s.rolloutId})`);
  lines.push(`  policy: ${s.files.policy}`);
  const record = s.files.records.find((f) => f.endsWith('.md'));
  if (record) {
    lines.push(
      `  ${s.outcome === 'rolled_back' ? 'post-mortem draft' : 'post-release report'}: ${record}`,
    );
  }
  if (s.recordsError) lines.push(`  records not written: ${s.recordsError}`);
  if (s.urls) {
    lines.push(
      `  still running (Ctrl-C stops): router ${s.urls.router}, admin ${s.urls.routerAdmin},`,
    );
    lines.push(`    stable ${s.urls.stable}, canary ${s.urls.canary}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Demo-clock seconds as `12m05s`. */
export function clockTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const sec = Math.round(seconds - m * 60);
  return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

function ms(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
