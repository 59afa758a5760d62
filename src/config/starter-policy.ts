/** The commented policy `rollgate init` writes: valid as is, every section explained. */
export const STARTER_POLICY = `# rollgate policy. Reference: docs/policy.md. JSON Schema: \`rollgate schema\`.
# This file extends the built-in policy (the figures of the release guide): anything you
# leave out keeps its default; anything you write here overrides it, key by key.
# Durations are written with a unit (90s, 15m, 1h30m), percentages with % (0.1%, 25%).
# Secrets are never written here: use \${env:NAME} or \${file:PATH}.
version: 1

services:
  web:
    environments:
      staging:
        strategy: direct          # staging: deploy, then smoke tests, no canary
      production: {}

    # Where traffic is split. builtin = rollgate's own proxy; also haproxy, nginx,
    # gateway-api (Kubernetes) and command (your own script).
    router:
      type: builtin
      listen: 127.0.0.1:8080
      admin: 127.0.0.1:9901     # its admin API: where rollgate sets the weight
      stable: http://127.0.0.1:9001
      canary: http://127.0.0.1:9002

    # How a version is put in place: your own scripts. Placeholders: {service},
    # {environment}, {version}, {previousVersion}, {target} (canary or stable).
    deployer:
      type: command
      deploy: ./scripts/deploy.sh {service} {version} {target}
      rollback: ./scripts/rollback.sh {service} {previousVersion}
      timeout: 10m

    # Where measurements come from. builtin = the built-in router's own measurements
    # (errors, latency, per endpoint; no memory gauge). For Prometheus:
    #   metrics: { type: prometheus, url: http://127.0.0.1:9090, endpointLabel: route,
    #              queries: { gauges: { memory: '<PromQL giving a fraction 0..1>' } } }
    metrics:
      type: builtin

    # Any 5xx on these routes rolls back at once.
    criticalEndpoints:
      - /health

    # Per-endpoint targets, reported after the release.
    slo:
      /health: { p95: 50ms, p99: 100ms }

    checks:
      health:
        type: http
        url: http://127.0.0.1:8080/health
        expectStatus: 200
        maxLatency: 500ms
        phases: [preflight, smoke, verification]

# Override a figure of a built-in gate (see \`rollgate plan --type minor\` for them all):
# gates:
#   error-rate-no-go:
#     for: 10m
#   memory-rollback:
#     enabled: false

# Or a whole strategy: steps are checks, deploy, traffic, approval and watch.
# strategies:
#   minor:
#     - { type: checks, phase: preflight }
#     - { type: deploy, target: canary }
#     - { type: traffic, weight: 5%, hold: 15m, maxHold: 30m }
#     - { type: traffic, weight: 50%, hold: 30m, maxHold: 60m }
#     - { type: approval, approvers: ["@release-managers"] }
#     - { type: traffic, weight: 100%, analysis: false }
#     - { type: deploy, target: stable }
#     - { type: watch, windows: [immediate] }

# Notifications (delivery comes with the notifiers):
# notifications:
#   channels:
#     releases: { type: slack, webhook: "\${env:SLACK_WEBHOOK_URL}" }
#   routes:
#     - { events: ["rollout.*"], channels: [releases] }
`;
