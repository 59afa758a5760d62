import { useState } from 'react';
import type { ReleaseMetrics } from '../api/api-types.js';
import { useApi } from '../api/use-api.js';
import { BarChart } from '../components/bar-chart.js';
import { ErrorBox, Loading } from '../components/status.js';
import { duration, percent } from '../format.js';

const PERIODS = ['7d', '30d', '90d'];

/** Release metrics (DORA): the four keys with their bands, and deployments and lead times by day. */
export function MetricsPage() {
  const [since, setSince] = useState('30d');
  const m = useApi<ReleaseMetrics>(`/metrics?since=${since}`, 30_000);
  const d = m.data;
  return (
    <>
      <h1>DORA metrics</h1>
      <p className="filters">
        <label>
          Period{' '}
          <select value={since} onChange={(e) => setSince(e.target.value)}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                last {p.replace('d', ' days')}
              </option>
            ))}
          </select>
        </label>
      </p>
      <ErrorBox error={m.error} what="the release metrics" />
      {!d ? (
        !m.error && <Loading what="release metrics" />
      ) : (
        <>
          <p>
            {d.service ?? 'All services'}, {d.environment}: {d.deployments} deployment
            {d.deployments === 1 ? '' : 's'}, {d.successful} successful.
          </p>
          <ul className="cards" aria-label="Key metrics">
            <Card
              name="Deployment frequency"
              value={`${d.deploymentFrequency.perWeek.toFixed(2)} / week`}
              band={d.deploymentFrequency.band}
            />
            <Card
              name="Change lead time (median)"
              value={duration(d.changeLeadTime.medianSeconds)}
              band={d.changeLeadTime.band}
            />
            <Card
              name="Change fail rate"
              value={`${percent(d.changeFailRate.rate, 1)} (${d.changeFailRate.failed})`}
              band={d.changeFailRate.band}
            />
            <Card
              name="Recovery time (median)"
              value={duration(d.recoveryTime.medianSeconds)}
              band={d.recoveryTime.band}
            />
            <Card
              name="Rework rate"
              value={`${percent(d.reworkRate.rate, 1)} (${d.reworkRate.rework})`}
            />
            <Card
              name="Rollback rate"
              value={`${percent(d.rollbackRate.rate, 1)} (${d.rollbackRate.rolledBack})`}
            />
          </ul>
          <div className="charts">
            <BarChart
              title="Deployments per day"
              unit="count"
              parts={[
                { name: 'success', color: '#2ca02c' },
                { name: 'rollback', color: '#d62728' },
                { name: 'partial', color: '#ff7f0e' },
              ]}
              bars={byDay(d)}
            />
            <BarChart
              title="Change lead time per deployment"
              unit="hours"
              parts={[{ name: 'lead time', color: '#1f77b4' }]}
              bars={d.list
                .filter((x) => x.leadTimeSeconds !== undefined)
                .map((x) => ({
                  label: `${x.version}`,
                  values: [Math.round(((x.leadTimeSeconds ?? 0) / 3600) * 10) / 10],
                }))}
            />
          </div>
        </>
      )}
    </>
  );
}

function Card(props: { name: string; value: string; band?: string | undefined }) {
  return (
    <li className="card">
      <span className="card-name">{props.name}</span>
      <strong className="card-value">{props.value}</strong>
      {props.band && <span className={`badge band-${props.band}`}>{props.band}</span>}
    </li>
  );
}

function byDay(d: ReleaseMetrics): { label: string; values: number[] }[] {
  const days = new Map<string, number[]>();
  for (const x of [...d.list].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const day = x.startedAt.slice(5, 10);
    const v = days.get(day) ?? [0, 0, 0];
    const idx = x.result === 'success' ? 0 : x.result === 'rollback' ? 1 : 2;
    v[idx] = (v[idx] ?? 0) + 1;
    days.set(day, v);
  }
  return [...days].map(([label, values]) => ({ label, values }));
}
