import { useState } from 'react';
import type { PostMortemSummary } from '../api/api-types.js';
import { useApi } from '../api/use-api.js';
import { ErrorBox, Loading } from '../components/status.js';
import { duration, time } from '../format.js';
import { Link } from '../navigation.js';

/** Every post-mortem, with its 48-hour deadline and an overdue mark. */
export function PostMortemsPage() {
  const [overdueOnly, setOverdueOnly] = useState(false);
  const list = useApi<{ postmortems: PostMortemSummary[] }>(
    `/postmortems${overdueOnly ? '?overdue=true' : ''}`,
    15_000,
  );
  const rows = list.data?.postmortems;
  const now = Date.now();
  return (
    <>
      <h1>Post-mortems</h1>
      <p className="filters">
        <label>
          <input
            type="checkbox"
            checked={overdueOnly}
            onChange={(e) => setOverdueOnly(e.target.checked)}
          />{' '}
          Overdue only
        </label>
      </p>
      <ErrorBox error={list.error} what="the post-mortems" />
      {rows === undefined ? (
        !list.error && <Loading what="post-mortems" />
      ) : rows.length === 0 ? (
        <p>
          {overdueOnly
            ? 'No post-mortem is overdue.'
            : 'No post-mortems: no release has been rolled back.'}
        </p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Post-mortems">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Failed version</th>
                <th scope="col">Restored</th>
                <th scope="col">Rolled back</th>
                <th scope="col">Due</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const left = (Date.parse(p.dueAt) - now) / 1000;
                return (
                  <tr key={p.id} className={p.state === 'overdue' ? 'overdue' : undefined}>
                    <td>{p.service}</td>
                    <td>
                      <Link to={`/postmortems/${encodeURIComponent(p.id)}`}>{p.failedVersion}</Link>
                    </td>
                    <td>{p.restoredVersion}</td>
                    <td className="num">{time(p.createdAt)}</td>
                    <td className="num">
                      {time(p.dueAt)}
                      {p.state === 'open' && <span className="muted"> (in {duration(left)})</span>}
                    </td>
                    <td>
                      <PostMortemStateMark state={p.state} dueAt={p.dueAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export function PostMortemStateMark(props: { state: PostMortemSummary['state']; dueAt: string }) {
  if (props.state === 'overdue')
    return (
      <span className="badge overdue" title={`was due ${time(props.dueAt)}`}>
        ⚠ overdue
      </span>
    );
  return <span className={`badge pm-${props.state}`}>{props.state}</span>;
}
