/** A dependency-free SVG stacked bar chart (one bar per label, a few stacked parts). */

export interface BarPart {
  name: string;
  color: string;
}

interface BarChartProps {
  title: string;
  unit: string;
  parts: BarPart[];
  bars: { label: string; values: number[] }[];
}

const W = 560;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 40 };

export function BarChart(props: BarChartProps) {
  const { bars, parts } = props;
  const max = Math.max(1, ...bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = bars.length ? plotW / bars.length : plotW;
  const bw = Math.max(2, Math.min(40, slot * 0.7));
  const sy = (v: number) => (v / max) * plotH;
  const id = `bars-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  const labelEvery = Math.max(1, Math.ceil(bars.length / 8));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={id}>
        <title id={id}>{`${props.title} (${props.unit})`}</title>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={PAD.top + plotH - f * plotH}
              y2={PAD.top + plotH - f * plotH}
              className="grid"
            />
            <text
              x={PAD.left - 6}
              y={PAD.top + plotH - f * plotH + 4}
              textAnchor="end"
              className="tick"
            >
              {Number.isInteger(f * max) ? f * max : (f * max).toFixed(1)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = PAD.left + i * slot + (slot - bw) / 2;
          let y = PAD.top + plotH;
          return (
            <g key={b.label}>
              {b.values.map((v, p) => {
                const h = sy(v);
                y -= h;
                const part = parts[p];
                return v > 0 && part ? (
                  <rect key={part.name} x={x} y={y} width={bw} height={h} fill={part.color}>
                    <title>{`${b.label}: ${v} ${part.name}`}</title>
                  </rect>
                ) : null;
              })}
              {i % labelEvery === 0 && (
                <text x={x + bw / 2} y={H - PAD.bottom + 16} textAnchor="middle" className="tick">
                  {b.label}
                </text>
              )}
            </g>
          );
        })}
        {bars.length === 0 && (
          <text x={W / 2} y={H / 2} textAnchor="middle" className="empty">
            no deployments in the period
          </text>
        )}
      </svg>
      <figcaption>
        <strong>{props.title}</strong> <span className="muted">({props.unit})</span>
        {parts.map((p) => (
          <span key={p.name} className="legend">
            <span className="swatch" style={{ background: p.color }} /> {p.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
