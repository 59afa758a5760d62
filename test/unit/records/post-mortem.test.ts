import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RollgateError } from '../../../src/core/errors/rollgate-error.js';
import { buildForensics } from '../../../src/core/records/forensics.js';
import { postMortemState } from '../../../src/core/records/incident-times.js';
import { buildPostMortem, TO_FILL } from '../../../src/core/records/post-mortem.js';
import { parsePostMortem } from '../../../src/core/records/post-mortem-parse.js';
import { readRolloutHistory } from '../../../src/core/records/rollout-history.js';
import { expectGolden } from './golden.js';
import { rolledBackMajor, successfulMinor } from './record-history-fixture.js';

const history = () => readRolloutHistory(rolledBackMajor());

describe('post-mortem draft (seed 001)', () => {
  it('matches the golden draft', () => {
    const pm = buildPostMortem({ history: history(), incidentId: '#123' });
    expectGolden('post-mortem.md', pm.markdown);
  });

  it('has every section of seed 001, in its order', () => {
    const seed = readFileSync(
      new URL('../../fixtures/seed-001-sections.txt', import.meta.url),
      'utf8',
    );
    const headings = seed.split('\n').filter((l) => /^#{2,3} /.test(l));
    expect(headings.length).toBeGreaterThan(25);
    const md = buildPostMortem({ history: history() }).markdown;
    let from = 0;
    for (const h of headings) {
      const at = md.indexOf(`\n${h}\n`, from);
      expect(at, `section "${h}"`).toBeGreaterThan(from);
      from = at;
    }
  });

  it('takes the impact from what the versions served over the exposure, when captured', () => {
    const served = {
      from: '2026-03-12T10:00:00.000Z',
      to: '2026-03-12T10:04:40.000Z',
      source: 'builtin',
      newVersion: { requests: 1234, errors: 56, latency: { '+Inf': 1234 } },
    };
    const pm = buildPostMortem({ history: history(), served });
    expect(pm.impact.newVersion.requests).toBe(1234);
    expect(pm.impact.newVersion.errors).toBe(56);
    expect(pm.impact.unmeasuredSeconds).toBe(0);
    expect(pm.markdown).toContain('1,234 requests served by');
    expect(pm.markdown).toContain('Counted by builtin over the whole exposure');
  });

  it('computes detection, notification and resolution times from the timeline', () => {
    const pm = buildPostMortem({ history: history() });
    // started 10:00:00; checks, deploy (40 s), smoke (15 s), 1 s → canary at 10:00:59;
    // three one-minute batches: the third (10:03:59) rolls back.
    expect(pm.times.deployStartedAt).toBe('2026-03-12T10:00:00.000Z');
    expect(pm.times.firstTrafficAt).toBe('2026-03-12T10:00:59.000Z');
    expect(pm.times.detectedAt).toBe('2026-03-12T10:03:59.000Z');
    expect(pm.times.detectedBy).toBe('judge rollback (gate critical-endpoint-5xx)');
    expect(pm.detectionSeconds).toBe(239);
    expect(pm.resolutionSeconds).toBe(27);
    expect(pm.times.restoredAt).toBe('2026-03-12T10:04:26.000Z');
    expect(pm.durationSeconds).toBe(266);
    // no delivery records: the rolled-back notification queued at the rollback's end
    expect(pm.notificationSeconds).toBe(27);
    expect(pm.times.notificationQueued).toBe(true);
    const delivered = buildPostMortem({
      history: history(),
      deliveries: [
        {
          route: 'slack',
          eventType: 'rollout.rolled_back',
          deliveredAt: '2026-03-12T10:04:31.000Z',
        },
      ],
    });
    expect(delivered.notificationSeconds).toBe(32);
    expect(pm.times.dueAt).toBe('2026-03-14T10:04:26.000Z');
  });

  it('counts the requests and errors the bad version actually served (recorded batches)', () => {
    const pm = buildPostMortem({ history: history() });
    // 3 batches at 5 % of 60,000 rpm = 3,000 each; errors 1 (good) + 2 × (90 payment + 5 other)
    expect(pm.impact.newVersion.requests).toBe(9000);
    expect(pm.impact.newVersion.errors).toBe(191);
    expect(pm.impact.newVersion.endpoints['/v1/payment/process']).toMatchObject({
      requests: 1800,
      errors: 180,
    });
    expect(pm.impact.peakWeight).toBe(5);
    expect(pm.impact.exposureSeconds).toBe(182); // 10:00:59 → router 0 % at 10:04:01
    expect(pm.impact.unmeasuredSeconds).toBe(2);
    expect(pm.markdown).toContain('9,000 requests served by v2.5.0');
  });

  it('refuses a rollout that did not roll back', () => {
    expect(() => buildPostMortem({ history: readRolloutHistory(successfulMinor()) })).toThrow(
      /was not rolled back/,
    );
  });

  it('tracks the 48-hour deadline', () => {
    const due = '2026-03-14T10:04:26.000Z';
    expect(postMortemState(due, '2026-03-13T00:00:00.000Z')).toBe('open');
    expect(postMortemState(due, '2026-03-14T10:04:27.000Z')).toBe('overdue');
    expect(postMortemState(due, '2026-03-20T00:00:00.000Z', '2026-03-13T12:00:00.000Z')).toBe(
      'completed',
    );
    expect(postMortemState(due, '2026-03-20T00:00:00.000Z', '2026-03-15T12:00:00.000Z')).toBe(
      'completed_late',
    );
  });
});

describe('forensics bundle', () => {
  it('holds metric windows, verdict evidence, policy, router state and outputs', () => {
    const f = buildForensics(history(), { windowSeconds: 90 });
    expect(f.metrics.beforeDetection.map((b) => b.at)).toEqual([
      '2026-03-12T10:02:59.000Z',
      '2026-03-12T10:03:59.000Z',
    ]);
    expect(f.metrics.afterDetection).toEqual([]);
    expect(f.verdict?.decision).toBe('rollback');
    expect(f.verdict?.findings).toHaveLength(2);
    expect(f.policy.judge.gates.map((g) => g.name)).toContain('critical-endpoint-5xx');
    expect(f.router).toMatchObject({ weightBefore: 5, weightAfter: 0 });
    expect(f.outputs.filter((o) => o.source === 'deployer').map((o) => o.text)).toEqual([
      'deploying v2.5.0 to canary\ndone',
      'restoring v2.4.0\nservice payments active',
    ]);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
});

function filled(): string {
  const draft = buildPostMortem({ history: history() }).markdown;
  return draft
    .replace(
      `### What Happened?\n\n${TO_FILL}`,
      '### What Happened?\n\nThe new image lacked the gateway TLS certificate.',
    )
    .replace(
      `1. **Why did the deployment fail?** ${TO_FILL}`,
      '1. **Why did the deployment fail?** Payment calls timed out.',
    )
    .replace(`2. **Why?** ${TO_FILL}`, '2. **Why?** TLS handshake failed.')
    .replace(
      `**Root Cause**: ${TO_FILL}`,
      '**Root Cause**: the certificate bundle was dropped from the Dockerfile.',
    )
    .replace('- [ ] Missing pre-deployment validation', '- [x] Missing pre-deployment validation')
    .replace('- [ ] No data loss confirmed', '- [x] No data loss confirmed')
    .replace(
      `| 1 | ${TO_FILL} | @owner | YYYY-MM-DD | Planned |  |`,
      '| 1 | Add gateway connectivity preflight check | @alex | 2026-03-16 | In Progress | INFRA-12 |\n| 2 | Synthetic payment transaction \\| smoke | @sre | 2026-03-20 | Planned |  |',
    )
    .replace(
      `### What Went Well?\n\n${TO_FILL}`,
      '### What Went Well?\n\nThe judge caught it at 5 %.',
    );
}

describe('completing a post-mortem', () => {
  it('reads the filled sections and the action items table back', () => {
    const pm = parsePostMortem(filled(), 'pm.md');
    expect(pm.whatHappened).toBe('The new image lacked the gateway TLS certificate.');
    expect(pm.whys).toEqual(['Payment calls timed out.', 'TLS handshake failed.']);
    expect(pm.rootCause).toBe('the certificate bundle was dropped from the Dockerfile.');
    expect(pm.contributingFactors).toEqual(['Missing pre-deployment validation']);
    expect(pm.dataIntegrity.confirmed).toEqual(['No data loss confirmed']);
    expect(pm.actionItems).toEqual([
      {
        id: '1',
        action: 'Add gateway connectivity preflight check',
        owner: '@alex',
        due: '2026-03-16',
        status: 'in_progress',
        ticket: 'INFRA-12',
      },
      {
        id: '2',
        action: 'Synthetic payment transaction | smoke',
        owner: '@sre',
        due: '2026-03-20',
        status: 'planned',
      },
    ]);
    expect(pm.lessons.wentWell).toBe('The judge caught it at 5 %.');
    expect(pm.missing).toEqual([]);
  });

  it('lists what the untouched draft still misses', () => {
    const pm = parsePostMortem(buildPostMortem({ history: history() }).markdown);
    expect(pm.missing).toEqual([
      'What Happened?',
      '5 Whys',
      'Root Cause',
      'Data Integrity',
      'Action Items',
      'Lessons Learned',
    ]);
  });

  it('names the line of a malformed action items row', () => {
    const text = filled().replace(
      '| 2026-03-16 | In Progress | INFRA-12 |',
      '| 2026-03-16 | In Progress |',
    );
    const line =
      text.split('\n').findIndex((l) => l.includes('gateway connectivity preflight')) + 1;
    try {
      parsePostMortem(text, 'pm.md');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RollgateError);
      expect((err as RollgateError).message).toBe(
        `pm.md:${line}: action item row 1 has 5 cells, the header has 6`,
      );
      expect((err as RollgateError).hint).toMatch(/\\\|/);
    }
  });

  it('rejects a bad owner, due date or status with the fix', () => {
    expect(() => parsePostMortem(filled().replace('| @alex |', '| alex |'), 'pm.md')).toThrow(
      /owner "alex" is not a person's @name/,
    );
    expect(() => parsePostMortem(filled().replace('2026-03-16', '16/03/2026'), 'pm.md')).toThrow(
      /due date "16\/03\/2026"/,
    );
    expect(() => parsePostMortem(filled().replace('2026-03-16', '2026-02-30'), 'pm.md')).toThrow(
      /due date/,
    );
    expect(() => parsePostMortem(filled().replace('| In Progress |', '| Soon |'), 'pm.md')).toThrow(
      /status "Soon"/,
    );
    expect(() => parsePostMortem(filled().replace('| Due Date |', '| Due |'), 'pm.md')).toThrow(
      /no "due date" column/,
    );
  });
});
