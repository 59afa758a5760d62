import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/core/policy/compile-policy.js';
import { formatIssue, type PolicyIssue } from '../../../src/core/policy/policy-issue.js';

// Table-driven: each broken policy marks with ⟨ the exact place its error must point at;
// the test strips the marker and checks file, line, column, path, message and hint.

const SERVICE = `version: 1
services:
  web:
    router:
      type: builtin
      listen: 127.0.0.1:8080
      stable: http://127.0.0.1:9001
      canary: http://127.0.0.1:9002
    deployer:
      type: command
      deploy: ./deploy.sh {version}
      rollback: ./rollback.sh
    metrics:
      type: builtin
`;

const strategy = (...steps: string[]) =>
  `${SERVICE}strategies:\n  minor:\n${steps.map((s) => `    - ${s}\n`).join('')}`;
const DEPLOY = '{ type: deploy, target: canary }';
const FULL = '{ type: traffic, weight: 100% }';

interface Case {
  name: string;
  yaml: string;
  path: string;
  message: RegExp;
  hint?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'unknown key in a step, with a did-you-mean hint',
    yaml: strategy(DEPLOY, '{ type: traffic, weight: 5%, ⟨hodl: 15m }', FULL),
    path: 'strategies.minor[1].hodl',
    message: /unknown key `hodl`/,
    hint: /did you mean `hold`\?/,
  },
  {
    name: 'a duration without a unit',
    yaml: strategy(DEPLOY, '{ type: traffic, weight: 5%, hold: ⟨15 }', FULL),
    path: 'strategies.minor[1].hold',
    message: /expected a duration with a unit, like `15m`/,
  },
  {
    name: 'weights that go down',
    yaml: strategy(
      DEPLOY,
      '{ type: traffic, weight: 25% }',
      '{ type: traffic, weight: ⟨10% }',
      FULL,
    ),
    path: 'strategies.minor[2].weight',
    message: /weights must not go down: 10% after 25%/,
  },
  {
    name: 'a strategy that never reaches 100 %',
    yaml: strategy(DEPLOY, '{ type: traffic, weight: 5% }', '{ type: traffic, weight: ⟨50% }'),
    path: 'strategies.minor[2].weight',
    message: /never reaches 100 %/,
  },
  {
    name: 'traffic before the canary is deployed',
    yaml: strategy('{ type: traffic, weight: ⟨5% }', DEPLOY, FULL),
    path: 'strategies.minor[0].weight',
    message: /before any `deploy` step with `target: canary`/,
  },
  {
    name: 'maxHold shorter than hold',
    yaml: strategy(DEPLOY, '{ type: traffic, weight: 5%, hold: 30m, maxHold: ⟨15m }', FULL),
    path: 'strategies.minor[1].maxHold',
    message: /`maxHold` is shorter than `hold`/,
  },
  {
    name: 'a weight above 100 %',
    yaml: strategy(DEPLOY, '{ type: traffic, weight: ⟨150% }'),
    path: 'strategies.minor[1].weight',
    message: /expected a weight from 0 to 100 percent/,
  },
  {
    name: 'an unknown step type',
    yaml: strategy(DEPLOY, '{ type: ⟨trafic, weight: 5% }', FULL),
    path: 'strategies.minor[1].type',
    message: /unknown type `trafic`: expected one of `checks`, `deploy`, `traffic`/,
    hint: /did you mean `traffic`\?/,
  },
  {
    name: 'an unknown router type',
    yaml: SERVICE.replace('type: builtin\n      listen', 'type: ⟨haproxyy\n      listen'),
    path: 'services.web.router.type',
    message: /unknown type `haproxyy`/,
    hint: /did you mean `haproxy`\?/,
  },
  {
    name: 'a router setting of another type',
    yaml: SERVICE.replace('listen: 127.0.0.1:8080', '⟨socket: /run/haproxy.sock'),
    path: 'services.web.router.socket',
    message: /unknown key `socket`/,
  },
  {
    name: 'a missing required router setting',
    yaml: SERVICE.replace('      stable: http://127.0.0.1:9001\n', '').replace(
      '    router:',
      '    ⟨router:',
    ),
    path: 'services.web.router.stable',
    message: /missing required key `stable`/,
  },
  {
    name: 'an unknown top-level key',
    yaml: `${SERVICE}⟨gate:\n  x: {}\n`,
    path: 'gate',
    message: /unknown key `gate`/,
    hint: /did you mean `gates`\?/,
  },
  {
    name: 'a threshold without a unit',
    yaml: `${SERVICE}gates:\n  error-rate-pause:\n    threshold: ⟨0.1\n`,
    path: 'gates.error-rate-pause.threshold',
    message: /expected a threshold with a unit/,
  },
  {
    name: 'a latency threshold in percent for an absolute gate',
    yaml: `${SERVICE}gates:\n  response-time-rollback:\n    threshold: ⟨20%\n`,
    path: 'gates.response-time-rollback.threshold',
    message: /wrong unit for a absolute `latency_p95` threshold: expected a duration/,
  },
  {
    name: 'an error-rate threshold in seconds',
    yaml: `${SERVICE}gates:\n  error-rate-pause:\n    threshold: ⟨2s\n`,
    path: 'gates.error-rate-pause.threshold',
    message: /expected a percentage, like `0.1%`, found a duration/,
  },
  {
    name: 'a gate action misspelt',
    yaml: `${SERVICE}gates:\n  error-rate-pause:\n    action: ⟨rolback\n`,
    path: 'gates.error-rate-pause.action',
    message: /expected one of `pause`, `no_go`, `rollback`/,
    hint: /did you mean `rollback`\?/,
  },
  {
    name: 'a gate on a metric nothing provides (memory, built-in metrics)',
    yaml: `${SERVICE}gates:\n  ⟨memory-rollback:\n    optional: false\n`,
    path: 'gates.memory-rollback.gauge',
    message: /needs the gauge `memory`, which nothing provides for service `web` \(production\)/,
    hint: /optional: true/,
  },
  {
    name: 'a new gate missing its metric',
    yaml: `${SERVICE}gates:\n  ⟨queue-depth:\n    comparison: absolute\n    threshold: 5%\n    action: pause\n`,
    path: 'gates.queue-depth.metric',
    message: /gate `queue-depth` is missing `metric`/,
  },
  {
    name: 'per-endpoint errors without an endpoint label',
    yaml: SERVICE.replace(
      '    metrics:\n      type: builtin\n',
      '    metrics:\n      type: prometheus\n      url: http://127.0.0.1:9090\n    criticalEndpoints: [/pay]\n',
    )
      .replace(
        'type: builtin',
        'type: haproxy\n      runtimeApi: /run/h.sock\n      backend: b\n      stableServer: s\n      canaryServer: c',
      )
      .replace(/ {6}listen.*\n {6}stable.*\n {6}canary.*\n/, '')
      .concat('gates:\n  critical-endpoint-5xx:\n    metric: ⟨endpoint_errors\n'),
    path: 'gates.critical-endpoint-5xx.metric',
    message: /no `endpointLabel`, so errors cannot be split per endpoint/,
  },
  {
    name: 'built-in metrics behind another router',
    yaml: SERVICE.replace('type: builtin\n      listen', 'type: nginx\n      listen')
      .replace(
        /listen.*\n.*stable.*\n.*canary.*\n/,
        'configFile: /etc/nginx/split.conf\n      upstream: web\n      stable: 127.0.0.1:9001\n      canary: 127.0.0.1:9002\n',
      )
      .replace('    metrics:\n      type: builtin', '    metrics:\n      type: ⟨builtin'),
    path: 'services.web.metrics.type',
    message: /metrics `builtin` are measured by the built-in router/,
  },
  {
    name: 'a literal Slack webhook',
    yaml: `${SERVICE}notifications:\n  channels:\n    releases:\n      type: slack\n      webhook: ⟨https://hooks.slack.com/services/T000/B000/XXXX\n`,
    path: 'notifications.channels.releases.webhook',
    message: /holds a secret: write a reference, `\$\{env:NAME\}` or `\$\{file:PATH\}`/,
  },
  {
    name: 'a literal token in an Authorization header',
    yaml: `${SERVICE}    checks:\n      login:\n        type: http\n        url: http://127.0.0.1:8080/login\n        headers:\n          Authorization: ⟨Bearer abc123\n`,
    path: 'services.web.checks.login.headers.Authorization',
    message: /header `Authorization`: this field holds a secret/,
  },
  {
    name: 'a literal Prometheus bearer token',
    yaml: SERVICE.replace(
      '    metrics:\n      type: builtin\n',
      '    metrics:\n      type: prometheus\n      url: http://127.0.0.1:9090\n      bearerToken: ⟨s3cr3t\n',
    ).replace('router:\n      type: builtin', 'router:\n      type: builtin'),
    path: 'services.web.metrics.bearerToken',
    message: /holds a secret/,
  },
  {
    name: 'a YAML syntax error: misaligned keys',
    yaml: `${SERVICE}notifications:\n  channels: {}\n⟨ routes: []\n`,
    path: '',
    message: /YAML syntax error: All mapping items must start at the same column/,
  },
  {
    name: 'a YAML syntax error: tab indentation',
    yaml: `${SERVICE}notifications:\n⟨\tchannels: {}\n`,
    path: '',
    message: /YAML syntax error: Tabs are not allowed as indentation/,
  },
  {
    name: 'a duplicate key',
    yaml: `${SERVICE}⟨version: 1\n`,
    path: '',
    message: /YAML syntax error: Map keys must be unique/,
  },
  {
    name: 'a missing version',
    yaml: `⟨${SERVICE.replace('version: 1\n', '')}`,
    path: 'version',
    message: /missing required key `version`/,
  },
  {
    name: 'a version rollgate does not know',
    yaml: SERVICE.replace('version: 1', 'version: ⟨2'),
    path: 'version',
    message: /expected `version: 1`/,
  },
  {
    name: 'a release type mapped to an unknown strategy',
    yaml: `${SERVICE}releaseTypes:\n  minor:\n    strategy: ⟨canery\n`,
    path: 'releaseTypes.minor.strategy',
    message: /unknown strategy `canery`/,
  },
  {
    name: 'an environment with an unknown strategy',
    yaml: SERVICE.replace(
      '  web:\n',
      '  web:\n    environments:\n      staging:\n        strategy: ⟨fast\n',
    ),
    path: 'services.web.environments.staging.strategy',
    message: /unknown strategy `fast`/,
  },
  {
    name: 'a step naming a check the service does not define',
    yaml: strategy('{ type: checks, phase: preflight, checks: [⟨healthz] }', DEPLOY, FULL),
    path: 'strategies.minor[0].checks[0]',
    message: /unknown check `healthz`: service `web` does not define it/,
  },
  {
    name: 'a watch step naming an unknown window',
    yaml: strategy(DEPLOY, FULL, '{ type: watch, windows: [⟨immediately] }'),
    path: 'strategies.minor[2].windows[0]',
    message: /unknown watch window `immediately`/,
  },
  {
    name: 'a notification route to an unknown channel',
    yaml: `${SERVICE}notifications:\n  routes:\n    - events: ["*"]\n      channels: [⟨slack]\n`,
    path: 'notifications.routes[0].channels[0]',
    message: /unknown channel `slack`/,
  },
  {
    name: 'a service without a deployer',
    yaml: SERVICE.replace(/ {4}deployer:\n.*\n.*\n.*\n/, '').replace('  web:', '  ⟨web:'),
    path: 'services.web.deployer',
    message: /missing `deployer`/,
  },
  {
    name: 'an approver that is not @someone',
    yaml: strategy(DEPLOY, '{ type: approval, approvers: [⟨release-managers] }', FULL),
    path: 'strategies.minor[1].approvers[0]',
    message: /expected `@person` or `@team`/,
  },
  {
    name: 'a Kubernetes image without {version}',
    yaml: SERVICE.replace(
      /deployer:\n.*\n.*\n.*\n/,
      'deployer:\n      type: kubernetes\n      namespace: web\n      stableDeployment: web\n      canaryDeployment: web-canary\n      container: web\n      image: ⟨registry.example.com/web:latest\n',
    ),
    path: 'services.web.deployer.image',
    message: /containing `\{version\}`/,
  },
  {
    name: 'a policy without services',
    yaml: 'version: 1\nservices: ⟨{}\n',
    path: 'services',
    message: /the policy defines no service/,
  },
  {
    name: 'a service name with a space',
    yaml: SERVICE.replace('  web:', '  ⟨"web app":'),
    path: 'services["web app"]',
    message: /invalid name `web app`: expected a name of letters, digits/,
  },
  {
    name: 'an unknown release type',
    yaml: `${SERVICE}releaseTypes:\n  ⟨hotfix: { strategy: patch }\n`,
    path: 'releaseTypes.hotfix',
    message: /unknown key `hotfix`/,
    hint: /allowed here: `patch`, `minor`, `major`, `breaking`/,
  },
  {
    name: 'an SLO on something that is not a route',
    yaml: `${SERVICE}    slo:\n      ⟨health: { p95: 50ms }\n`,
    path: 'services.web.slo.health',
    message: /expected a route starting with `\/`/,
  },
  {
    name: 'two YAML documents in one file',
    yaml: `${SERVICE}⟨---\nversion: 1\n`,
    path: '',
    message: /one YAML document; remove the second `---`/,
  },
  {
    name: 'a literal token in a deployer environment variable',
    yaml: SERVICE.replace(
      '      rollback: ./rollback.sh\n',
      '      rollback: ./rollback.sh\n      env:\n        DEPLOY_TOKEN: ⟨abc123\n',
    ),
    path: 'services.web.deployer.env.DEPLOY_TOKEN',
    message: /environment variable `DEPLOY_TOKEN`: this field holds a secret/,
  },
  {
    name: 'a password inside a URL',
    yaml: SERVICE.replace(
      '    metrics:\n      type: builtin\n',
      '    metrics:\n      type: prometheus\n      url: ⟨https://admin:hunter2@prometheus:9090\n',
    ),
    path: 'services.web.metrics.url',
    message: /the URL carries a password/,
  },
  {
    name: 'an empty file',
    yaml: '⟨',
    path: '',
    message: /the policy file is empty/,
  },
];

function position(marked: string): { text: string; line: number; column: number } {
  const index = marked.indexOf('⟨');
  if (index < 0) throw new Error('case without a ⟨ marker');
  const before = marked.slice(0, index);
  const lines = before.split('\n');
  return {
    text: marked.replace('⟨', ''),
    line: lines.length,
    column: (lines[lines.length - 1] as string).length + 1,
  };
}

describe('broken policies: each error names file, line, column and path', () => {
  it('has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const { text, line, column } = position(c.yaml);
      const result = parsePolicy(text, 'rollgate.yaml');
      expect(result.ok, 'the policy should be rejected').toBe(false);
      const issues = result.ok ? [] : result.issues;
      const issue = issues.find((i) => c.message.test(i.message));
      expect(
        issue,
        `no issue matching ${c.message} in:\n${issues.map(formatIssue).join('\n')}`,
      ).toBeDefined();
      const found = issue as PolicyIssue;
      expect({
        file: found.file,
        line: found.line,
        column: found.column,
        path: found.path,
      }).toEqual({
        file: 'rollgate.yaml',
        line,
        column,
        path: c.path,
      });
      if (c.hint) expect(found.hint).toMatch(c.hint);
      expect(formatIssue(found)).toMatch(/^rollgate\.yaml:\d+:\d+ /);
    });
  }
});

describe('every problem in one run', () => {
  it('reports structural errors across the file together', () => {
    const text = `${SERVICE.replace('type: builtin\n      listen', 'type: builtn\n      listen')}strategies:
  minor:
    - { type: deploy, target: canary }
    - { type: traffic, weight: 25%, hodl: 5m }
    - { type: traffic, weight: 10% }
gates:
  error-rate-pause: { action: stop }
notifications:
  channels:
    s: { type: slack, webhook: "https://hooks.slack.com/x" }
`;
    const result = parsePolicy(text, 'p.yaml');
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual([
      'services.web.router.type',
      'strategies.minor[1].hodl',
      'strategies.minor[2].weight',
      'strategies.minor[2].weight',
      'gates.error-rate-pause.action',
      'notifications.channels.s.webhook',
    ]);
  });

  it('reports cross-reference errors together', () => {
    const text = `${SERVICE}releaseTypes:
  major: { strategy: nope }
gates:
  error-rate-pause: { threshold: 2s }
  memory-rollback: { optional: false }
notifications:
  routes:
    - { events: ["*"], channels: [nowhere] }
`;
    const result = parsePolicy(text, 'p.yaml');
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    expect(paths).toEqual([
      'releaseTypes.major.strategy',
      'gates.error-rate-pause.threshold',
      'gates.memory-rollback.gauge',
      'notifications.routes[0].channels[0]',
    ]);
  });

  it('never echoes a secret value it rejects', () => {
    const text = `${SERVICE}notifications:\n  channels:\n    s: { type: pagerduty, routingKey: "R0UTINGKEY123" }\n`;
    const result = parsePolicy(text, 'p.yaml');
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('R0UTINGKEY123');
  });
});
