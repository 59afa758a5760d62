import type { ApiError } from '../api/api-client.js';
import { stateLabel } from '../format.js';

export function StateBadge(props: { state: string }) {
  return <span className={`badge state-${props.state}`}>{stateLabel(props.state)}</span>;
}

export function ErrorBox(props: { error: ApiError | undefined; what: string }) {
  if (!props.error) return null;
  return (
    <div role="alert" className="error-box">
      Could not load {props.what}: {props.error.message}
      {props.error.status === 401 && ' — open the dashboard with ?token=<your token>.'}
    </div>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}
