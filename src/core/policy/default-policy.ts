import type { z } from 'zod';
import type { PolicyFile } from './policy-schema.js';

/**
 * The built-in policy every `rollgate.yaml` extends: the figures of the seed documents
 * (`seeds/002` release guide, `seeds/003` runbook, `seeds/000` release log), written in
 * the policy's own language so every one of them can be overridden in the file.
 * Nothing here is a constant in code: resolvePlan reads these like any other layer.
 */
export const DEFAULT_POLICY_INPUT: z.input<typeof PolicyFile> = {
  version: 1,
  releaseTypes: {
    patch: { description: 'Hotfix of a production issue: quick canary (002)', strategy: 'patch' },
    minor: {
      description: 'Incremental features: canary → 25% → 50% → 100% (002)',
      strategy: 'minor',
    },
    major: {
      description: 'Significant functionality: extended canary → 10% → 25% → 50% → 100% (002)',
      strategy: 'major',
    },
    breaking: {
      description: 'Breaking change: behind a feature flag, then a staged rollout (002)',
      strategy: 'breaking',
    },
  },
  strategies: {
    // 002 "quick canary"; 000 low risk: 5 min canary, 5 min full, 5 min verification.
    patch: [
      { type: 'checks', phase: 'preflight' },
      { type: 'deploy', target: 'canary' },
      { type: 'checks', phase: 'smoke' },
      { type: 'traffic', name: 'quick canary', weight: '5%', hold: '5m', maxHold: '15m' },
      { type: 'traffic', name: 'full', weight: '100%', hold: '5m', maxHold: '5m' },
      { type: 'deploy', target: 'stable' },
      { type: 'checks', phase: 'verification' },
      { type: 'watch' },
    ],
    // 002: canary 1-5 % monitored 15-30 min, then 25 % and 50 % monitored 30-60 min, 100 %.
    minor: [
      { type: 'checks', phase: 'preflight' },
      { type: 'deploy', target: 'canary' },
      { type: 'checks', phase: 'smoke' },
      { type: 'traffic', name: 'canary', weight: '5%', hold: '15m', maxHold: '30m' },
      { type: 'traffic', weight: '25%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', weight: '50%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', name: 'full', weight: '100%', hold: '0s', analysis: false },
      { type: 'deploy', target: 'stable' },
      { type: 'checks', phase: 'verification' },
      { type: 'watch' },
    ],
    // 002: extended canary → 10 % → 25 % → 50 % → 100 %; "extended" = twice the canary hold.
    major: [
      { type: 'checks', phase: 'preflight' },
      { type: 'deploy', target: 'canary' },
      { type: 'checks', phase: 'smoke' },
      { type: 'traffic', name: 'extended canary', weight: '5%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', weight: '10%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', weight: '25%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', weight: '50%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', name: 'full', weight: '100%', hold: '0s', analysis: false },
      { type: 'deploy', target: 'stable' },
      { type: 'checks', phase: 'verification' },
      { type: 'watch' },
    ],
    // 002: feature flag + staged rollout. The code ships dark (flag off, requirement
    // `feature-flag`); the staged rollout is the major one with an approval before 50 %.
    breaking: [
      { type: 'checks', phase: 'preflight' },
      { type: 'deploy', target: 'canary' },
      { type: 'checks', phase: 'smoke' },
      { type: 'traffic', name: 'extended canary', weight: '5%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', weight: '10%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', weight: '25%', hold: '30m', maxHold: '60m' },
      { type: 'approval', name: 'go/no-go before 50%' },
      { type: 'traffic', weight: '50%', hold: '30m', maxHold: '60m' },
      { type: 'traffic', name: 'full', weight: '100%', hold: '0s', analysis: false },
      { type: 'deploy', target: 'stable' },
      { type: 'checks', phase: 'verification' },
      { type: 'watch' },
    ],
    // 003 "deploy to staging (2 minutes)": straight to stable, then smoke tests.
    direct: [
      { type: 'checks', phase: 'preflight' },
      { type: 'deploy', target: 'stable' },
      { type: 'checks', phase: 'smoke' },
    ],
  },
  gates: {
    // 002 "Rollout monitoring thresholds" → pause.
    'error-rate-pause': {
      description: 'Error rate > 0.1% above baseline → pause (002)',
      metric: 'error_rate',
      comparison: 'delta',
      threshold: '0.1%',
      for: '0s',
      action: 'pause',
    },
    'latency-p99-pause': {
      description: 'P99 > 10% above baseline → pause (002)',
      metric: 'latency_p99',
      comparison: 'relative',
      threshold: '10%',
      for: '0s',
      action: 'pause',
    },
    // 002 "No-Go (rollback required)".
    'error-rate-no-go': {
      description: 'Error rate > 1% above baseline for 5+ minutes → no-go (002)',
      metric: 'error_rate',
      comparison: 'delta',
      threshold: '1%',
      for: '5m',
      action: 'no_go',
    },
    'latency-p99-no-go': {
      description: 'P99 > 25% above baseline → no-go (002)',
      metric: 'latency_p99',
      comparison: 'relative',
      threshold: '25%',
      for: '0s',
      action: 'no_go',
    },
    // 003 "Automatic rollback triggers".
    'error-rate-rollback': {
      description: 'Error rate > 1% for 2 consecutive minutes → rollback (003)',
      metric: 'error_rate',
      comparison: 'absolute',
      threshold: '1%',
      for: '2m',
      action: 'rollback',
    },
    'response-time-rollback': {
      description: 'Response time (p95) > 2 s for 3 consecutive minutes → rollback (003)',
      metric: 'latency_p95',
      comparison: 'absolute',
      threshold: '2s',
      for: '3m',
      action: 'rollback',
    },
    'critical-endpoint-5xx': {
      description: 'Any 5xx on a critical endpoint → rollback (003)',
      metric: 'endpoint_errors',
      comparison: 'absolute',
      threshold: 0,
      for: '0s',
      action: 'rollback',
    },
    'memory-rollback': {
      description: 'Memory > 85% for 5 minutes → rollback (003); skipped where no memory gauge',
      metric: 'gauge',
      gauge: 'memory',
      comparison: 'absolute',
      threshold: '85%',
      for: '5m',
      action: 'rollback',
      optional: true,
    },
  },
  judge: { alpha: 0.01, beta: 0.05, maxNoData: '5m', staleAfter: '2m' },
  traffic: { minRequests: 200, onTimeout: 'pause' },
  // 002 "Post-release monitoring window".
  watch: {
    immediate: {
      from: '0m',
      to: '30m',
      focus: 'Critical failures: active monitoring, ready to roll back',
    },
    'short-term': {
      from: '30m',
      to: '4h',
      focus: 'Performance and errors: dashboards, error rates, latency',
    },
    extended: {
      from: '4h',
      to: '24h',
      focus: 'Edge cases and async issues: queues, batch jobs, user reports',
    },
    'long-term': {
      from: '24h',
      to: '72h',
      focus: 'Business impact: verify metrics, collect feedback',
    },
  },
  // 002 "Pre-release requirements"; `feature-flag` is what makes a breaking release "flag + staged".
  requirements: {
    'acceptance-criteria': { description: 'All acceptance criteria met and PRs merged' },
    ci: { description: 'Passing CI and security scans' },
    'release-notes': { description: 'Release notes drafted' },
    'rollback-plan': { description: 'Rollback / mitigation plan documented' },
    'smoke-tests': { description: 'Smoke tests prepared' },
    'feature-flag': {
      description: 'The breaking behaviour is behind a feature flag, off at deploy',
      releaseTypes: ['breaking'],
    },
  },
  // 003 "Alert Escalation": L1 at once to #releases, L2 pages on-call after 5 min, L3
  // leadership after 15 min. The channels are the team's: none are named by default.
  notifications: {
    channels: {},
    routes: [],
    escalation: {
      releases: { after: '0m', channels: [] },
      'on-call': { after: '5m', channels: [] },
      leadership: { after: '15m', channels: [] },
    },
  },
};
