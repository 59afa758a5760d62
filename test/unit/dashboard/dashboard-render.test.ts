import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LineChart } from '../../../web/src/components/line-chart.js';
import { MarkdownView } from '../../../web/src/components/markdown-view.js';
import { parseRoute } from '../../../web/src/routes.js';

// The dashboard's pure pieces, rendered to HTML as the browser would get them.
const md = (markdown: string) => renderToStaticMarkup(createElement(MarkdownView, { markdown }));

describe('MarkdownView', () => {
  it('renders the records: headings one level down, tables with headers, task lists', () => {
    const html = md(
      [
        '# Post-Mortem: payment-service v2.1.0',
        '',
        '| Time (UTC) | Event |',
        '|---|---|',
        '| 2026-11-22T02:42:21Z | **Judge: rollback** |',
        '',
        '- [ ] Root cause identified',
        '- [x] Rollback verified',
      ].join('\n'),
    );
    expect(html).toContain('<h2>Post-Mortem: payment-service v2.1.0</h2>');
    expect(html).toContain('<th scope="col">Time (UTC)</th>');
    expect(html).toContain('<td><strong>Judge: rollback</strong></td>');
    expect(html).toContain('☐ </span>Root cause identified');
    expect(html).toContain('☑ </span>Rollback verified');
  });

  it('never lets a record inject markup or script links', () => {
    const html = md(
      '@ops: <img src=x onerror=alert(1)> see [this](javascript:alert(1)) and [runbook](https://example.com/rb)',
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('<a href="https://example.com/rb" rel="noreferrer">runbook</a>');
  });

  it('renders emphasis but leaves snake_case and lone stars alone', () => {
    const html = md('*Generated from 1 release.* _(to be filled in)_ endpoint_errors 2 * 3');
    expect(html).toBe(
      '<div class="markdown"><p><em>Generated from 1 release.</em> <em>(to be filled in)</em> endpoint_errors 2 * 3</p></div>',
    );
  });

  it('keeps the line breaks of a header block of bold labels', () => {
    const html = md('**Incident ID**: PM-1\n**Date**: 2026-11-22\nplain continuation');
    expect(html).toBe(
      '<div class="markdown"><p><strong>Incident ID</strong>: PM-1<br/><strong>Date</strong>: 2026-11-22 plain continuation</p></div>',
    );
  });
});

describe('LineChart', () => {
  it('draws both arms and a labelled gate line, or says there is nothing yet', () => {
    const html = renderToStaticMarkup(
      createElement(LineChart, {
        title: 'Error rate',
        unit: '%',
        series: [
          {
            name: 'canary',
            color: 'red',
            points: [
              { x: 0, y: 1 },
              { x: 1000, y: 3 },
            ],
          },
          {
            name: 'baseline',
            color: 'blue',
            points: [
              { x: 0, y: 0.5 },
              { x: 1000, y: null },
            ],
          },
        ],
        gates: [{ label: 'error rate > 1 %', y: 1 }],
      }),
    );
    expect(html).toContain('<title id="chart-error-rate">Error rate (%)</title>');
    expect(html).toContain('error rate &gt; 1 %');
    expect(html.match(/<path d="M/g)?.length).toBe(2);
    expect(html).not.toContain('no measurements yet');
    const empty = renderToStaticMarkup(
      createElement(LineChart, { title: 'p99', unit: 'ms', series: [] }),
    );
    expect(empty).toContain('no measurements yet');
  });
});

describe('parseRoute', () => {
  it('maps the contract client routes', () => {
    expect(parseRoute('/', '')).toEqual({ page: 'rollouts' });
    expect(parseRoute('/rollouts/ro-1', '')).toEqual({ page: 'rollout', id: 'ro-1' });
    expect(parseRoute('/rollouts/ro-1/report', '')).toEqual({ page: 'report', id: 'ro-1' });
    expect(parseRoute('/log', '?service=payments')).toEqual({ page: 'log', service: 'payments' });
    expect(parseRoute('/postmortems', '')).toEqual({ page: 'postmortems' });
    expect(parseRoute('/postmortems/pm-1', '')).toEqual({ page: 'postmortem', id: 'pm-1' });
    expect(parseRoute('/metrics', '')).toEqual({ page: 'metrics' });
    expect(parseRoute('/nope', '')).toEqual({ page: 'not-found', path: '/nope' });
  });
});
