import { useApi } from '../api/use-api.js';
import { MarkdownView } from '../components/markdown-view.js';
import { ErrorBox, Loading } from '../components/status.js';
import { Link } from '../navigation.js';

/** The post-release report of one rollout, as rollgate wrote it from what was measured. */
export function ReportPage(props: { id: string }) {
  const report = useApi<{ markdown: string; json: unknown }>(
    `/rollouts/${encodeURIComponent(props.id)}/report`,
  );
  return (
    <>
      <p>
        <Link to={`/rollouts/${encodeURIComponent(props.id)}`}>← Back to the rollout</Link>
      </p>
      <h1>Post-release report</h1>
      <ErrorBox error={report.error} what="the report" />
      {report.data ? (
        <MarkdownView markdown={report.data.markdown} />
      ) : (
        !report.error && <Loading what="the report" />
      )}
    </>
  );
}
