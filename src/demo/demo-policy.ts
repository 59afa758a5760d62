import { RollgateError } from '../core/errors/rollgate-error.js';
import { parsePolicy } from '../core/policy/compile-policy.js';
import type { Policy } from '../core/policy/policy-types.js';

export const DEMO_SERVICE = 'payment-service';

export interface DemoPolicyInput {
  scenario: string;
  speed: number;
  /** Seconds of demo time one judge batch spans (one real second at this speed). */
  batchSeconds: number;
  routerListen: string;
  routerAdmin: string;
  stableUrl: string;
  canaryUrl: string;
  /** A `notifications:` section to append (demo-notify-config.ts). */
  notifications?: string;
}

/**
 * The policy `rollgate demo` runs, as the YAML it writes to `rollgate-demo/rollgate.yaml`
 * (ADR 0091): the built-in minor strategy (canary 5 % → 25 % → 50 % → 100 %, then the
 * post-release watch) with every hold a third of the seeds' and the watch cut to 10 min,
 * so the whole release takes 25 min of demo time: 25 s at the default 60×.
 */
export function demoPolicyText(input: DemoPolicyInput): string {
  // A missing batch must not pause the rollout before the next one can arrive.
  const maxNoData = Math.max(300, Math.ceil(3 * input.batchSeconds));
  // Every stage holds at least MIN_STAGE_BATCHES batches of real traffic (ADR 0090):
  // above 75x the 5-minute hold would otherwise be one or two batches.
  const hold = duration(Math.max(300, Math.ceil(MIN_STAGE_BATCHES * input.batchSeconds)));
  return `# The policy \`rollgate demo\` used (scenario ${input.scenario}, ${input.speed}x speed).
# It extends the built-in policy (the figures of the release guide): what is not
# written here keeps its default. Check it with \`rollgate validate\` in this folder,
# see its steps with \`rollgate plan --type minor\`. Reference: docs/policy.md.
# Time runs ${input.speed}x faster in the demo: a 5m hold passes in ${fmt(300 / input.speed)} s.
version: 1

services:
  ${DEMO_SERVICE}:
    # rollgate's built-in router, started by the demo on free loopback ports.
    router:
      type: builtin
      listen: ${input.routerListen}
      stable: ${input.stableUrl}
      canary: ${input.canaryUrl}
      admin: ${input.routerAdmin}
    # The demo starts both versions itself (src/demo/demo-stack.ts); a real service would
    # use its own deploy scripts (type: command) here.
    deployer:
      type: local
      command: node dist/demo/demo-service-main.js {version} {port}
    # The router measures every request; the demo service reports its memory as a gauge.
    metrics:
      type: builtin
      gauges: [memory]
    # Any 5xx on these routes rolls the release back at once (gate critical-endpoint-5xx).
    criticalEndpoints:
      - /v1/payment/process
    # Seed 004's per-endpoint targets; the post-release report shows p50/p95/p99 against them.
    slo:
      /v1/health: { p95: 50ms, p99: 100ms, errorRate: 0.5% }
      /v1/contacts: { p95: 300ms, p99: 600ms, errorRate: 0.5% }
      /v1/jobs: { p95: 400ms, p99: 800ms, errorRate: 0.5% }
      /v1/payment/process: { p95: 300ms, p99: 600ms, errorRate: 0.5% }

# The built-in minor strategy with a third of its holds (at least ${MIN_STAGE_BATCHES} judge batches,
# ${MIN_STAGE_BATCHES} real seconds, at high speeds). A stage promotes when its time is
# up and no gate fired (onTimeout: promote): at demo traffic a few minutes are too little
# evidence for the judge to promote early, and the built-in \`pause\` would wait for you.
strategies:
  minor:
    - { type: checks, phase: preflight }
    - { type: deploy, target: canary }
    - { type: checks, phase: smoke }
    - { type: traffic, name: canary, weight: 5%, hold: ${hold}, maxHold: ${hold}, onTimeout: promote }
    - { type: traffic, weight: 25%, hold: ${hold}, maxHold: ${hold}, onTimeout: promote }
    - { type: traffic, weight: 50%, hold: ${hold}, maxHold: ${hold}, onTimeout: promote }
    - { type: traffic, name: full, weight: 100%, analysis: false }
    - { type: deploy, target: stable }
    - { type: checks, phase: verification }
    - { type: watch, windows: [immediate] }

# Nobody is at the keyboard to resume a paused demo: the pause gates are off, and their
# no-go and rollback siblings (p99 > 25 % above baseline, error rate > 1 % above
# baseline, any 5xx on a critical endpoint, memory > 85 % for 5 min) decide.
gates:
  error-rate-pause: { enabled: false }
  latency-p99-pause: { enabled: false }
  # Calibrating a p99 test takes 2,000 baseline requests per stage, more than a 5-minute
  # demo stage sees; the p90 needs 500, so the demo adds this sibling of latency-p99-no-go.
  latency-p90-no-go:
    description: P90 > 25% above baseline → no-go (demo)
    metric: latency_p90
    comparison: relative
    threshold: 25%
    for: 0s
    action: no_go

judge:
  maxNoData: ${maxNoData}s

watch:
  immediate: { from: 0m, to: 10m }
${input.notifications ?? ''}`;
}

/** Fewest judge batches (real seconds) a traffic stage holds, whatever the speed. */
export const MIN_STAGE_BATCHES = 4;

/** Whole seconds as a policy duration: `5m`, `16m`, `90s`. */
function duration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

function fmt(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** Compiles the demo policy exactly as written to the file (so the file is what ran). */
export function compileDemoPolicy(text: string, file: string): Policy {
  const result = parsePolicy(text, file);
  if (!result.ok) {
    throw new RollgateError('internal', `the demo policy does not validate: ${file}`, {
      details: { issues: result.issues },
    });
  }
  return result.policy;
}
