/** A dependency-free SVG line chart: a few series over time, with horizontal gate lines. */

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number | null }[];
  dashed?: boolean;
}

/** A gate: a fixed threshold, or one that follows the baseline (a value per point). */
export interface GateLine {
  label: string;
  y: number | { x: number; y: number | null }[];
}

interface LineChartProps {
  title: string;
  unit: string;
  series: Series[];
  gates?: GateLine[];
  /** Formats an x value (ms since epoch) for the axis. */
  formatX?: (x: number) => string;
  formatY?: (y: number) => string;
  /** Shown when there is nothing to draw. */
  emptyText?: string;
}

const W = 560;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
/** Points are marked while there are few (a line of one point is invisible). */
const DOTS_UP_TO = 80;

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function defaultY(y: number): string {
  if (y === 0) return '0';
  if (Math.abs(y) >= 100) return y.toFixed(0);
  if (Math.abs(y) >= 1) return y.toFixed(1);
  return y.toPrecision(2);
}

export function LineChart(props: LineChartProps) {
  const { series, gates = [], unit } = props;
  const formatY = props.formatY ?? defaultY;
  const formatX = props.formatX ?? ((x: number) => new Date(x).toISOString().slice(11, 19));
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const hasData = ys.length > 0;
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const gateYs = gates.flatMap((g) =>
    typeof g.y === 'number' ? [g.y] : g.y.flatMap((p) => (p.y === null ? [] : [p.y])),
  );
  const yMax = niceMax(Math.max(0, ...ys, ...gateYs) * 1.1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const sx = (x: number) =>
    PAD.left + (xMax === xMin ? plotW / 2 : ((x - xMin) / (xMax - xMin)) * plotW);
  const sy = (y: number) => PAD.top + plotH - (Math.min(y, yMax) / yMax) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  // Gate labels sit above their line, moved up where they would overlap another.
  const labelYs: (number | undefined)[] = [];
  for (const g of gates) {
    const last = typeof g.y === 'number' ? g.y : lastY(g.y);
    if (last === undefined) {
      labelYs.push(undefined);
      continue;
    }
    let y = sy(last) - 4;
    while (labelYs.some((other) => other !== undefined && Math.abs(other - y) < 11)) y -= 11;
    labelYs.push(y);
  }
  const titleId = `chart-${props.title.replace(/\W+/g, '-').toLowerCase()}`;

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={titleId}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>{`${props.title} (${unit})`}</title>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} className="grid" />
            <text x={PAD.left - 6} y={sy(t) + 4} textAnchor="end" className="tick">
              {formatY(t)}
            </text>
          </g>
        ))}
        {hasData && (
          <>
            <text x={PAD.left} y={H - 8} className="tick">
              {formatX(xMin)}
            </text>
            <text x={W - PAD.right} y={H - 8} textAnchor="end" className="tick">
              {formatX(xMax)}
            </text>
          </>
        )}
        {gates.map((g, i) => {
          const last = typeof g.y === 'number' ? g.y : lastY(g.y);
          const labelY = last === undefined ? undefined : labelYs[i];
          return (
            <g key={g.label} className="gate">
              {typeof g.y === 'number' ? (
                <line x1={PAD.left} x2={W - PAD.right} y1={sy(g.y)} y2={sy(g.y)} />
              ) : (
                <path d={pathOf(g.y, sx, sy)} fill="none" />
              )}
              {labelY !== undefined && (
                <text x={W - PAD.right - 4} y={labelY} textAnchor="end">
                  {g.label}
                </text>
              )}
            </g>
          );
        })}
        {series.map((s) => (
          <g key={s.name}>
            <path
              d={pathOf(s.points, sx, sy)}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined}
            />
            {s.points.length <= DOTS_UP_TO &&
              s.points.map((p) =>
                p.y === null || !Number.isFinite(p.y) ? null : (
                  <circle key={p.x} cx={sx(p.x)} cy={sy(p.y)} r={2.5} fill={s.color} />
                ),
              )}
          </g>
        ))}
        {!hasData && (
          <text x={W / 2} y={H / 2} textAnchor="middle" className="empty">
            {props.emptyText ?? 'no measurements yet'}
          </text>
        )}
      </svg>
      <figcaption>
        <strong>{props.title}</strong> <span className="muted">({unit})</span>
        {series.map((s) => (
          <span key={s.name} className="legend">
            <span className="swatch" style={{ background: s.color }} /> {s.name}
          </span>
        ))}
        {gates.length > 0 && (
          <span className="legend">
            <span className="swatch gate-swatch" /> gate
          </span>
        )}
      </figcaption>
    </figure>
  );
}

function lastY(points: { y: number | null }[]): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const y = points[i]?.y;
    if (y !== null && y !== undefined && Number.isFinite(y)) return y;
  }
  return undefined;
}

/** Straight segments between known points; a null value breaks the line. */
function pathOf(
  points: { x: number; y: number | null }[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`;
    pen = true;
  }
  return d;
}
