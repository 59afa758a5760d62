/**
 * Small, dependency-free SVG charts for the post-release report: a line chart (canary vs
 * baseline error rate over the rollout) and a grouped bar chart (latency percentiles per
 * phase). Output is standalone, well-formed XML; every text is escaped.
 */

export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const W = 640;
const H = 320;
const PAD = { left: 64, right: 16, top: 36, bottom: 56 };
const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd'];

function n(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${xmlEscape(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${xmlEscape(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function axes(yMax: number, yFormat: (v: number) => string): string[] {
  const out: string[] = [];
  const x0 = PAD.left;
  const x1 = W - PAD.right;
  const y0 = H - PAD.bottom;
  for (let i = 0; i <= 4; i += 1) {
    const y = y0 - ((y0 - PAD.top) * i) / 4;
    out.push(`<line x1="${x0}" y1="${n(y)}" x2="${x1}" y2="${n(y)}" stroke="#e0e0e0"/>`);
    out.push(
      `<text x="${x0 - 6}" y="${n(y + 4)}" text-anchor="end">${xmlEscape(yFormat((yMax * i) / 4))}</text>`,
    );
  }
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#333333"/>`);
  out.push(`<line x1="${x0}" y1="${PAD.top}" x2="${x0}" y2="${y0}" stroke="#333333"/>`);
  return out;
}

function legend(names: readonly string[]): string[] {
  return names.flatMap((name, i) => {
    const x = PAD.left + i * 150;
    const y = H - 14;
    return [
      `<rect x="${x}" y="${y - 9}" width="12" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${x + 16}" y="${y}">${xmlEscape(name)}</text>`,
    ];
  });
}

export interface LineSeries {
  name: string;
  points: readonly { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  series: readonly LineSeries[];
  xFormat: (x: number) => string;
  yFormat: (y: number) => string;
  /** Vertical markers, e.g. phase starts. */
  markers?: readonly { x: number; label: string }[];
}

export function lineChartSvg(c: LineChart): string {
  const xs = c.series
    .flatMap((s) => s.points.map((p) => p.x))
    .concat((c.markers ?? []).map((m) => m.x));
  const ys = c.series.flatMap((s) => s.points.map((p) => p.y));
  const xMin = xs.length > 0 ? Math.min(...xs) : 0;
  const xMax = xs.length > 0 ? Math.max(...xs) : 1;
  const yMax = niceMax(ys.length > 0 ? Math.max(...ys) : 0);
  const sx = (x: number) =>
    PAD.left + ((x - xMin) / Math.max(1e-9, xMax - xMin)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const body = axes(yMax, c.yFormat);
  for (const m of c.markers ?? []) {
    const x = n(sx(m.x));
    body.push(
      `<line x1="${x}" y1="${PAD.top}" x2="${x}" y2="${H - PAD.bottom}" stroke="#999999" stroke-dasharray="3,3"/>`,
    );
    body.push(
      `<text x="${x}" y="${H - PAD.bottom + 14}" text-anchor="middle">${xmlEscape(m.label)}</text>`,
    );
  }
  body.push(
    `<text x="${PAD.left}" y="${H - PAD.bottom + 28}">${xmlEscape(c.xFormat(xMin))}</text>`,
  );
  body.push(
    `<text x="${W - PAD.right}" y="${H - PAD.bottom + 28}" text-anchor="end">${xmlEscape(c.xFormat(xMax))}</text>`,
  );
  c.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${n(sx(p.x))},${n(sy(p.y))}`).join(' ');
    body.push(
      `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`,
    );
  });
  body.push(...legend(c.series.map((s) => s.name)));
  return frame(c.title, body);
}

export interface BarGroup {
  label: string;
  /** Value per series name (missing = no bar). */
  values: Readonly<Record<string, number | undefined>>;
}

export interface BarChart {
  title: string;
  seriesNames: readonly string[];
  groups: readonly BarGroup[];
  yFormat: (y: number) => string;
}

export function barChartSvg(c: BarChart): string {
  const values = c.groups.flatMap((g) =>
    Object.values(g.values).filter((v): v is number => v !== undefined),
  );
  const yMax = niceMax(values.length > 0 ? Math.max(...values) : 0);
  const body = axes(yMax, c.yFormat);
  const width = W - PAD.left - PAD.right;
  const slot = width / Math.max(1, c.groups.length);
  const bar = (slot * 0.8) / Math.max(1, c.seriesNames.length);
  c.groups.forEach((g, gi) => {
    const gx = PAD.left + gi * slot + slot * 0.1;
    c.seriesNames.forEach((name, si) => {
      const v = g.values[name];
      if (v === undefined) return;
      const h = (v / yMax) * (H - PAD.top - PAD.bottom);
      body.push(
        `<rect x="${n(gx + si * bar)}" y="${n(H - PAD.bottom - h)}" width="${n(bar - 2)}" height="${n(h)}" fill="${COLORS[si % COLORS.length]}"><title>${xmlEscape(`${g.label} ${name}: ${c.yFormat(v)}`)}</title></rect>`,
      );
    });
    body.push(
      `<text x="${n(gx + slot * 0.4)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${xmlEscape(g.label)}</text>`,
    );
  });
  body.push(...legend(c.seriesNames));
  return frame(c.title, body);
}
