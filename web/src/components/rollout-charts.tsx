import type { Arm, Gate, ObservationPoint, Observations } from '../api/api-types.js';
import { type GateLine, LineChart, type Series } from './line-chart.js';

const CANARY = '#d62728';
const BASELINE = '#1f77b4';

type Pick = (arm: Arm) => number | null;

/** Canary vs baseline over the rollout: error rate, p99 and exceedance counts, with the gates. */
export function RolloutCharts(props: { observations: Observations | undefined }) {
  const points = props.observations?.points ?? [];
  const gates = props.observations?.gates ?? [];
  const errorRate: Pick = (a) => (a.requests > 0 ? a.errorRate * 100 : null);
  const p99: Pick = (a) => a.p99Ms;
  const exceedances: Pick = (a) => a.exceedances;
  return (
    <div className="charts">
      <LineChart
        title="Error rate"
        unit="%"
        series={series(points, errorRate)}
        gates={gateLines(gates, points, errorRate, (g) => g.metric === 'error_rate', 'fraction')}
        formatY={(y) => (y > 0 && y < 1 ? y.toFixed(2) : y.toFixed(1))}
      />
      <LineChart
        title="p99 latency"
        unit="ms"
        series={series(points, p99)}
        gates={gateLines(
          gates,
          points,
          p99,
          (g) => g.metric === 'p99' || g.metric === 'latency_p99',
          'ms',
        )}
      />
      <LineChart
        title="Latency exceedances"
        unit="requests slower than the judge's latency threshold, per batch"
        series={series(points, exceedances)}
        emptyText={
          points.length > 0
            ? 'not counted: no latency threshold for these batches yet'
            : 'no measurements yet'
        }
      />
    </div>
  );
}

function series(points: ObservationPoint[], pick: Pick): Series[] {
  return [
    {
      name: 'canary',
      color: CANARY,
      points: points.map((p) => ({ x: Date.parse(p.at), y: pick(p.canary) })),
    },
    {
      name: 'baseline',
      color: BASELINE,
      dashed: true,
      points: points.map((p) => ({
        x: Date.parse(p.at),
        // After 100 % the baseline arm is empty (the post-release watch has no baseline).
        y: p.baseline.requests > 0 ? pick(p.baseline) : null,
      })),
    },
  ];
}

/**
 * Gates as lines in the chart's unit: an absolute threshold is a fixed line; a gate relative
 * to the baseline ("% above baseline", "% of baseline") follows the baseline's series.
 * Units the chart does not know are left out rather than drawn wrong.
 */
function gateLines(
  gates: Gate[],
  points: ObservationPoint[],
  pick: Pick,
  which: (g: Gate) => boolean,
  base: 'fraction' | 'ms',
): GateLine[] {
  const baseline = (f: (b: number) => number) =>
    points.map((p) => {
      const b = p.baseline.requests > 0 ? pick(p.baseline) : null;
      return { x: Date.parse(p.at), y: b === null ? null : f(b) };
    });
  const lines: GateLine[] = [];
  for (const g of gates.filter(which)) {
    const unit = g.unit.trim().toLowerCase();
    if (unit === '%' || unit === 'ms') lines.push({ label: g.label, y: g.threshold });
    else if (unit === 's' || unit === 'seconds')
      lines.push({ label: g.label, y: g.threshold * 1000 });
    else if (unit === 'fraction' || unit === 'ratio')
      lines.push({ label: g.label, y: base === 'fraction' ? g.threshold * 100 : g.threshold });
    else if (unit === '% above baseline')
      lines.push({ label: g.label, y: baseline((b) => b + g.threshold) });
    else if (unit === '% of baseline')
      lines.push({ label: g.label, y: baseline((b) => b * (1 + g.threshold / 100)) });
  }
  // One line per label (two gates can read alike, e.g. a pause and a no-go at one threshold).
  return lines.filter((l, i) => lines.findIndex((m) => m.label === l.label) === i);
}
