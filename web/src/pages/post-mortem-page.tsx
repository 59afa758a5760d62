import { useState } from 'react';
import type { PostMortemDetail } from '../api/api-types.js';
import { useApi } from '../api/use-api.js';
import { MarkdownView } from '../components/markdown-view.js';
import { ErrorBox, Loading } from '../components/status.js';
import { time } from '../format.js';
import { Link } from '../navigation.js';
import { PostMortemStateMark } from './post-mortems-page.js';

/** One post-mortem: its deadline, the draft rollgate wrote, and its action items. */
export function PostMortemPage(props: { id: string }) {
  const path = `/postmortems/${encodeURIComponent(props.id)}`;
  // Right after a rollback the draft may still be being written: look again soon.
  const [soon, setSoon] = useState(true);
  const pm = useApi<PostMortemDetail>(path, soon ? 2_000 : 30_000);
  if (soon && pm.data) setSoon(false);
  if (!pm.data)
    return (
      <>
        <h1>Post-mortem</h1>
        <ErrorBox error={pm.error} what="the post-mortem" />
        {!pm.error && <Loading what="the post-mortem" />}
      </>
    );
  const { postmortem: p, markdown, actionItems } = pm.data;
  return (
    <>
      <p>
        <Link to={`/rollouts/${encodeURIComponent(p.rolloutId)}`}>← The rolled-back rollout</Link>
        {' · '}
        <Link to="/postmortems">All post-mortems</Link>
      </p>
      <h1>
        Post-mortem: {p.service} {p.failedVersion}
      </h1>
      <p>
        <PostMortemStateMark state={p.state} dueAt={p.dueAt} /> Rolled back to {p.restoredVersion}{' '}
        at {time(p.createdAt)}; due {time(p.dueAt)}
        {p.completedAt ? `; completed ${time(p.completedAt)} by ${p.completedBy ?? '?'}` : ''}.
      </p>
      <section aria-labelledby="actions-heading">
        <h2 id="actions-heading">Action items</h2>
        {actionItems.length === 0 ? (
          <p className="muted">
            None yet: fill them in the draft and record it with <code>rollgate postmortem</code>.
          </p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Action items">
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Due</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {actionItems.map((a) => (
                  <tr key={a.id}>
                    <td>{a.action}</td>
                    <td>{a.owner}</td>
                    <td className="num">{a.due}</td>
                    <td>{a.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="draft-heading">
        <h2 id="draft-heading">Draft</h2>
        <MarkdownView markdown={markdown} />
      </section>
    </>
  );
}
