import type { Verdict } from '../api/api-types.js';
import { time } from '../format.js';

/** The judge's latest verdict: decision, the sentence why, and its evidence. */
export function VerdictPanel(props: { verdict: Verdict | null | undefined }) {
  const v = props.verdict;
  return (
    <section aria-labelledby="verdict-heading" className="panel">
      <h2 id="verdict-heading">Judge's verdict</h2>
      {!v ? (
        <p className="muted">No verdict yet: the judge decides once the canary takes traffic.</p>
      ) : (
        <>
          <p>
            <span className={`badge decision-${v.decision}`}>{v.decision}</span>{' '}
            <span className="muted">at {time(v.at)}</span>
          </p>
          <p className="verdict-reason">{v.reason}</p>
          <Evidence evidence={v.evidence} />
        </>
      )}
    </section>
  );
}

function Evidence(props: { evidence: Record<string, unknown> }) {
  const entries = Object.entries(props.evidence ?? {});
  if (entries.length === 0) return null;
  return (
    <details open>
      <summary>Evidence</summary>
      <dl className="evidence">
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{render(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function render(v: unknown) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && 'message' in x)) {
    return (
      <ul>
        {v.map((x, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: findings are not reordered
          <li key={i}>{String((x as { message: unknown }).message)}</li>
        ))}
      </ul>
    );
  }
  return <code className="json">{JSON.stringify(v)}</code>;
}
