import type { Gate, Observations } from '../api/api-types.js';
import { type GateLine, LineChart, type Series } from './line-chart.js';

const CANARY = '#d62728';
const BASELINE = '#1f77b4';

/** Canary vs baseline over the rollout: error rate, p99 and exceedance counts, with the gates. */
export function RolloutCharts(props: { observations: Observations | undefined }) {
  const points = props.observations?.points ?? [];
  const gates = props.observations?.gates ?? [];
  const xs = points.map((p) => Date.parse(p.at));
  const series = (
    pick: (arm: Observations['points'][number]['canary']) => number | null,
  ): Series[] => [
    {
      name: 'canary',
      color: CANARY,
      points: points.map((p, i) => ({ x: xs[i] ?? 0, y: pick(p.canary) })),
    },
    {
      name: 'baseline',
      color: BASELINE,
      dashed: true,
      points: points.map((p, i) => ({ x: xs[i] ?? 0, y: pick(p.baseline) })),
    },
  ];
  return (
    <div className="charts">
      <LineChart
        title="Error rate"
        unit="%"
        series={series((a) => a.errorRate * 100)}
        gates={gateLines(gates, isErrorRate, toPercent)}
        formatY={(y) => `${y < 1 && y > 0 ? y.toFixed(2) : y.toFixed(1)}`}
      />
      <LineChart
        title="p99 latency"
        unit="ms"
        series={series((a) => a.p99Ms)}
        gates={gateLines(gates, isP99, toMs)}
      />
      <LineChart
        title="Gate exceedances"
        unit="count"
        series={series((a) => a.exceedances)}
        gates={gateLines(
          gates,
          (g) => g.metric === 'exceedances',
          (g) => g.threshold,
        )}
      />
    </div>
  );
}

function isErrorRate(g: Gate): boolean {
  return g.metric === 'error_rate';
}

function isP99(g: Gate): boolean {
  return g.metric === 'p99' || g.metric === 'latency_p99';
}

/** Error-rate thresholds come as a fraction or in percent, as the unit says. */
function toPercent(g: Gate): number {
  return g.unit === '%' || g.unit === 'percent' ? g.threshold : g.threshold * 100;
}

function toMs(g: Gate): number {
  return g.unit === 's' || g.unit === 'seconds' ? g.threshold * 1000 : g.threshold;
}

function gateLines(
  gates: Gate[],
  which: (g: Gate) => boolean,
  value: (g: Gate) => number,
): GateLine[] {
  return gates
    .filter(which)
    .map((g) => ({ label: g.label, y: value(g) }))
    .filter((g) => Number.isFinite(g.y));
}
