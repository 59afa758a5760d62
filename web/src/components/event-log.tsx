import { type FormEvent, useId, useState } from 'react';
import { ApiError, apiFetch } from '../api/api-client.js';
import type { TimelineEvent } from '../api/api-types.js';
import { time } from '../format.js';

/** The rollout's timeline, newest first, and (for operators) a form to add an observation. */
export function EventLog(props: {
  rolloutId: string;
  events: TimelineEvent[];
  canObserve: boolean;
  onAdded: (e: TimelineEvent) => void;
}) {
  const shown = [...props.events].reverse();
  return (
    <section aria-labelledby="events-heading">
      <h2 id="events-heading">Event log</h2>
      {props.canObserve && <AddObservation rolloutId={props.rolloutId} onAdded={props.onAdded} />}
      <div className="table-wrap event-log">
        <table aria-label="Event log">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Event</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.seq} className={`event-${e.type.replace(/\./g, '-')}`}>
                <td className="num">{e.seq}</td>
                <td className="num">{time(e.at)}</td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.type}</code>
                </td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AddObservation(props: { rolloutId: string; onAdded: (e: TimelineEvent) => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await apiFetch<{ event: TimelineEvent }>(
        `/rollouts/${encodeURIComponent(props.rolloutId)}/observations`,
        { method: 'POST', body: { text: text.trim() } },
      );
      setText('');
      props.onAdded(res.event);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="observe" onSubmit={(e) => void submit(e)}>
      <label htmlFor={id}>Observation</label>
      <textarea
        id={id}
        value={text}
        rows={2}
        maxLength={2000}
        placeholder="What you see (lands in the release log), e.g. checkout latency looks normal in Grafana"
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={busy || !text.trim()}>
        Add observation
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
