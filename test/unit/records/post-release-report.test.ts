import { describe, expect, it } from 'vitest';
import { servedOfCapture } from '../../../src/core/records/forensics.js';
import { buildPostReleaseReport } from '../../../src/core/records/post-release-report.js';
import { readRolloutHistory } from '../../../src/core/records/rollout-history.js';
import { barChartSvg, lineChartSvg } from '../../../src/core/records/svg-chart.js';
import { expectGolden } from './golden.js';
import { arm, NOW, rolledBackMajor, successfulMinor } from './record-history-fixture.js';
import { xmlProblem } from './xml-wellformed.js';

const SLO = {
  '/v1/health': { p95: 0.05, p99: 0.1, errorRate: 0.01 },
  '/v1/payment/process': { p95: 0.5, p99: 1, errorRate: 0.005 },
  '/v1/refunds': { p99: 1 },
};

describe('post-release report (seed 004)', () => {
  const doc = buildPostReleaseReport({
    history: readRolloutHistory(successfulMinor()),
    slo: SLO,
    now: NOW,
    charts: 'files',
  });

  it('matches the golden report (charts as files) and its JSON', () => {
    expectGolden('post-release-report.md', doc.markdown);
    expectGolden('post-release-report.json', `${JSON.stringify(doc.report, null, 2)}\n`);
    for (const [name, svg] of Object.entries(doc.charts)) expectGolden(name, svg);
  });

  it('compares phases planned vs actual', () => {
    expect(doc.report.phases.map((p) => [p.label, p.actualSeconds, p.status, p.endedBy])).toEqual([
      ['Phase 1 (5%)', 600, 'on_schedule', 'judge'],
      ['Phase 2 (25%)', 600, 'on_schedule', 'judge'],
      ['Phase 3 (50%)', 600, 'on_schedule', 'judge'],
      ['Phase 4 (100%)', 300, 'on_schedule', 'hold'],
      ['Watch (immediate)', 1800, 'on_schedule', 'hold'],
    ]);
  });

  it('reads per-endpoint percentiles from the histograms and checks them against the SLOs', () => {
    const byRoute = Object.fromEntries(doc.report.endpoints.map((e) => [e.route, e]));
    // FAST shares: 30 % ≤ 50 ms, 85 % ≤ 100 ms, 98 % ≤ 250 ms, 99.5 % ≤ 500 ms
    // p95 = 0.1 + 0.15 × (0.95 − 0.85) / 0.13 = 0.2154 s > 50 ms target → missed
    expect(byRoute['/v1/health']?.percentiles.p95).toBeCloseTo(0.2154, 3);
    expect(byRoute['/v1/health']?.status).toBe('missed');
    // SLOW shares: 10 %, 50 %, 85 %, 95 %, 99 %: p99 = 0.5 + 0.5 × (0.99 − 0.95) / 0.04 = 1 s
    expect(byRoute['/v1/payment/process']?.percentiles.p99).toBeCloseTo(1, 3);
    expect(byRoute['/v1/payment/process']?.status).toBe('met');
    expect(byRoute['/v1/refunds']?.status).toBe('no_data');
    expect(byRoute['/v1/payment/process']?.errors).toBe(0);
  });

  it('compares request volume and error rate with the baseline, and reports gauges', () => {
    const o = doc.report.overall;
    expect(o.baseline?.requests).toBeGreaterThan(0);
    expect(o.requestsPerMinute).toEqual({ full: 60000, canaryPhase: 60000 });
    expect(doc.report.resources.map((r) => r.gauge)).toEqual(['cpu', 'memory']);
    expect(doc.report.resources[1]).toMatchObject({
      avg: 0.62,
      peak: 0.62,
      baselineAvg: expect.closeTo(0.62, 9),
    });
    expect(doc.report.incidents).toEqual([]);
  });

  it('lists the rollback as an incident on a rolled-back release', () => {
    const rb = buildPostReleaseReport({ history: readRolloutHistory(rolledBackMajor()), now: NOW });
    expect(rb.report.incidents.map((i) => i.kind)).toEqual(['rollback']);
    expect(rb.report.phases[0]?.status).toBe('rolled_back');
    expect(rb.markdown).toContain('was rolled back to v2.4.0');
  });

  it('embeds the charts inline by default, as well-formed SVG', () => {
    const inline = buildPostReleaseReport({
      history: readRolloutHistory(successfulMinor()),
      slo: SLO,
      now: NOW,
    });
    const svgs = inline.markdown.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(2);
    for (const svg of [...svgs, ...Object.values(inline.charts)])
      expect(xmlProblem(svg)).toBeUndefined();
  });
});

describe('SVG charts', () => {
  it('escape every text so hostile names stay well-formed', () => {
    const name = `a<b & "c" 'd'>`;
    const line = lineChartSvg({
      title: name,
      series: [
        {
          name,
          points: [
            { x: 0, y: 0.1 },
            { x: 1, y: 0.2 },
          ],
        },
      ],
      xFormat: (x) => `${x} <min>`,
      yFormat: (y) => `${y} &`,
      markers: [{ x: 0.5, label: name }],
    });
    const bar = barChartSvg({
      title: name,
      seriesNames: [name],
      groups: [{ label: name, values: { [name]: 1 } }],
      yFormat: String,
    });
    expect(xmlProblem(line)).toBeUndefined();
    expect(xmlProblem(bar)).toBeUndefined();
    expect(line).toContain('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });

  it('the well-formedness check itself catches broken XML', () => {
    expect(xmlProblem('<svg><g></svg>')).toMatch(/closes/);
    expect(xmlProblem('<svg a="1" a="2"/>')).toMatch(/duplicate/);
    expect(xmlProblem('<svg>a & b</svg>')).toMatch(/entity/);
    expect(xmlProblem('<svg x=1/>')).toMatch(/unquoted/);
    expect(xmlProblem('<svg/><svg/>')).toMatch(/second root/);
    expect(xmlProblem('<svg>')).toMatch(/never closed/);
  });
});

describe('post-release report: figures from the whole-rollout capture (ADR 0143)', () => {
  const doc = buildPostReleaseReport({
    history: readRolloutHistory(successfulMinor()),
    slo: SLO,
    now: NOW,
    charts: 'files',
  });
  // 90 minutes at 100 %: not what the batches hold, so every figure must come from here
  const newVersion = arm(
    { rpm: 1000, errorRate: 0.002, shares: [0.5, 0.3, 0.15, 0.04, 0.01, 0] },
    1,
    90,
  );
  const baseline = arm({ rpm: 1000, errorRate: 0.001 }, 1, 7);
  const served = {
    from: '2026-03-10T14:00:00.000Z',
    to: '2026-03-10T15:07:10.000Z',
    source: 'builtin',
    newVersion,
    baseline,
  };
  const captured = buildPostReleaseReport({
    history: readRolloutHistory(successfulMinor()),
    slo: SLO,
    now: NOW,
    charts: 'files',
    served,
  });

  it('takes per-endpoint requests, errors and percentiles from the capture, exactly', () => {
    const r = captured.report;
    expect(r.measured).toEqual({
      kind: 'whole_rollout',
      from: served.from,
      to: served.to,
      source: 'builtin',
    });
    for (const route of ['/v1/health', '/v1/payment/process'] as const) {
      const row = r.endpoints.find((e) => e.route === route);
      const want = newVersion.endpoints?.[route];
      expect(row?.requests, route).toBe(want?.requests);
      expect(row?.errors, route).toBe(want?.errors);
      expect(row?.errorRate, route).toBe((want?.errors ?? 0) / (want?.requests ?? 1));
    }
    const health = r.endpoints.find((e) => e.route === '/v1/health');
    // FAST shares over 72,000 requests: p95 = 0.1 + 0.15 × (0.95 − 0.85) / 0.13
    expect(health?.percentiles.p95).toBe(0.1 + (0.15 * (0.95 * 72000 - 61200)) / 9360);
    expect(r.overall.newVersion.requests).toBe(newVersion.requests);
    expect(r.overall.newVersion.errors).toBe(newVersion.errors);
    expect(r.overall.baseline?.requests).toBe(baseline.requests);
    expect(captured.markdown).toContain(
      'one read of builtin over the whole rollout (2026-03-10T14:00:00Z to 2026-03-10T15:07:10Z)',
    );
    // the phases, charts and resources stay on the batches
    expect(r.phases.map((p) => p.requests)).toEqual(doc.report.phases.map((p) => p.requests));
    expect(r.resources).toEqual(doc.report.resources);
  });

  it('falls back to the batches without a capture, and says why', () => {
    expect(doc.report.measured).toEqual({
      kind: 'batches',
      reason: 'no whole-rollout capture in the store',
    });
    const failed = buildPostReleaseReport({
      history: readRolloutHistory(successfulMinor()),
      now: NOW,
      servedError: 'router retention exceeded',
    });
    expect(failed.report.measured).toEqual({
      kind: 'batches',
      reason: 'router retention exceeded',
    });
    expect(failed.markdown).toContain("the judge's recorded batches (router retention exceeded)");
  });

  it('reads the capture of either kind from the store', () => {
    expect(servedOfCapture(undefined)).toEqual({
      servedError: 'no whole-rollout capture in the store',
    });
    expect(
      servedOfCapture({ format: 'rollgate.release-capture/v1', rolloutId: 'ro-1', served }),
    ).toEqual({ served });
    expect(
      servedOfCapture({
        format: 'rollgate.forensics/v1',
        rolloutId: 'ro-1',
        servedError: 'down',
      }),
    ).toEqual({ servedError: 'down' });
  });
});
