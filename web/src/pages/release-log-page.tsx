import type { RolloutSummary } from '../api/api-types.js';
import { useApi } from '../api/use-api.js';
import { MarkdownView } from '../components/markdown-view.js';
import { ErrorBox, Loading } from '../components/status.js';
import { navigate } from '../navigation.js';

/** A service's release log (seed 000's format): one entry per release, observations included. */
export function ReleaseLogPage(props: { service: string | undefined }) {
  const rollouts = useApi<{ rollouts: RolloutSummary[] }>('/rollouts?limit=200');
  const services = [...new Set((rollouts.data?.rollouts ?? []).map((r) => r.service))].sort();
  const service = props.service ?? (services.length === 1 ? services[0] : undefined);
  const log = useApi<{ markdown: string }>(
    service ? `/records/log?service=${encodeURIComponent(service)}` : null,
  );
  return (
    <>
      <h1>Release log{service ? `: ${service}` : ''}</h1>
      <p className="filters">
        <label>
          Service{' '}
          <select
            value={service ?? ''}
            onChange={(e) => navigate(`/log?service=${encodeURIComponent(e.target.value)}`)}
          >
            <option value="" disabled>
              choose a service
            </option>
            {[...new Set([...services, ...(service ? [service] : [])])].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </p>
      <ErrorBox error={rollouts.error ?? log.error} what="the release log" />
      {!service ? (
        <p className="muted">Choose a service to read its release log.</p>
      ) : log.data ? (
        <MarkdownView markdown={log.data.markdown} />
      ) : (
        !log.error && <Loading what="the release log" />
      )}
    </>
  );
}
