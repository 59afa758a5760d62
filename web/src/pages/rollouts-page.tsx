import { useState } from 'react';
import type { RolloutSummary } from '../api/api-types.js';
import { useApi } from '../api/use-api.js';
import { ErrorBox, Loading, StateBadge } from '../components/status.js';
import { duration } from '../format.js';
import { Link } from '../navigation.js';

const STATES = [
  '',
  'running',
  'paused',
  'rolling_back',
  'rolled_back',
  'completed',
  'failed',
  'pending',
];

/** Every rollout, newest first, refreshed every few seconds. */
export function RolloutsPage() {
  const [state, setState] = useState('');
  const query = new URLSearchParams({ limit: '100', ...(state ? { state } : {}) });
  const list = useApi<{ rollouts: RolloutSummary[] }>(`/rollouts?${query}`, 3_000);
  const rollouts = list.data?.rollouts;

  return (
    <>
      <h1>Rollouts</h1>
      <p className="filters">
        <label>
          State{' '}
          <select value={state} onChange={(e) => setState(e.target.value)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s ? s.replace(/_/g, ' ') : 'any'}
              </option>
            ))}
          </select>
        </label>
      </p>
      <ErrorBox error={list.error} what="the rollouts" />
      {rollouts === undefined ? (
        !list.error && <Loading what="rollouts" />
      ) : rollouts.length === 0 ? (
        <p>
          No rollouts yet. Start one with <code>rollgate release start</code>, or run{' '}
          <code>rollgate demo --ui</code>.
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Rollouts">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Version</th>
                <th scope="col">Environment</th>
                <th scope="col">State</th>
                <th scope="col">Step</th>
                <th scope="col">Weight</th>
                <th scope="col">Age</th>
              </tr>
            </thead>
            <tbody>
              {rollouts.map((r) => (
                <tr key={r.id}>
                  <td>{r.service}</td>
                  <td>
                    <Link to={`/rollouts/${encodeURIComponent(r.id)}`}>{r.version}</Link>{' '}
                    <span className="muted">from {r.previousVersion}</span>
                  </td>
                  <td>{r.environment}</td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>
                    {Math.min(r.stepIndex + 1, r.stepCount)}/{r.stepCount} {r.stepName}
                  </td>
                  <td className="num">{r.weight} %</td>
                  <td className="num">{duration(r.ageSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
