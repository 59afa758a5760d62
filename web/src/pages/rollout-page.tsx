import { useCallback, useEffect, useRef } from 'react';
import type { Observations, RolloutDetail, TimelineEvent } from '../api/api-types.js';
import { useApi } from '../api/use-api.js';
import { useRolloutLive } from '../api/use-rollout-live.js';
import { CommandBar } from '../components/command-bar.js';
import { EventLog } from '../components/event-log.js';
import { RolloutCharts } from '../components/rollout-charts.js';
import { ErrorBox, Loading, StateBadge } from '../components/status.js';
import { StepTimeline } from '../components/step-timeline.js';
import { VerdictPanel } from '../components/verdict-panel.js';
import { duration, time } from '../format.js';
import { Link } from '../navigation.js';
import { useCanOperate } from '../whoami.js';

const SETTLED = ['completed', 'rolled_back', 'failed'];

/** One rollout, live: state, charts, verdict, steps, events and the commands. */
export function RolloutPage(props: { id: string }) {
  const { id } = props;
  const base = `/rollouts/${encodeURIComponent(id)}`;
  const detail = useApi<RolloutDetail>(base, 10_000);
  const observations = useApi<Observations>(`${base}/observations`, 10_000);
  const canOperate = useCanOperate();
  const reloadDetail = useThrottled(detail.reload, 500);
  const reloadObservations = useThrottled(observations.reload, 1_000);

  const onEvent = useCallback(
    (e: TimelineEvent) => {
      if (e.type === 'judge.verdict' || e.type === 'watch.sample') reloadObservations();
      else reloadDetail();
      if (e.type.startsWith('rollback.') || e.type === 'rollout.completed') reloadObservations();
    },
    [reloadDetail, reloadObservations],
  );
  const live = useRolloutLive(id, onEvent);

  if (!detail.data) {
    return (
      <>
        <h1>Rollout</h1>
        <ErrorBox error={detail.error} what="the rollout" />
        {!detail.error && <Loading what="the rollout" />}
      </>
    );
  }
  const { rollout, release } = detail.data;
  // The newest of the page's summary and the stream's.
  const summary =
    live.summary && live.summary.updatedAt >= detail.data.summary.updatedAt
      ? live.summary
      : detail.data.summary;
  const settled = SETTLED.includes(summary.state);

  return (
    <>
      <h1>
        {summary.service} {summary.version}
      </h1>
      <section aria-label="Rollout status" className="status-line">
        <p>
          State: <StateBadge state={summary.state} />{' '}
          <span data-testid="rollout-state" hidden>
            {summary.state}
          </span>
        </p>
        <p>
          Step{' '}
          <span data-testid="rollout-step">
            {Math.min(summary.stepIndex + 1, summary.stepCount)}/{summary.stepCount}
          </span>{' '}
          <strong>{summary.stepName}</strong>
        </p>
        <p>
          Canary weight <strong data-testid="rollout-weight">{summary.weight} %</strong>
        </p>
        <p className="muted">
          {summary.environment} · {summary.releaseType} · replaces {summary.previousVersion} · age{' '}
          {duration(summary.ageSeconds)} ·{' '}
          <span className={`stream stream-${live.status}`}>
            {live.status === 'live' ? '● live' : live.status}
          </span>
        </p>
        {summary.pauseReason && summary.state === 'paused' && (
          <p className="pause-reason">Paused: {summary.pauseReason}</p>
        )}
      </section>

      {canOperate && (
        <CommandBar
          summary={summary}
          onDone={(s) => {
            live.setSummary(s);
            reloadDetail();
          }}
        />
      )}

      <nav aria-label="Records" className="records-links">
        <Link to={`${base}/report`}>Post-release report</Link>
        <Link to={`/log?service=${encodeURIComponent(summary.service)}`}>Release log</Link>
        {(summary.state === 'rolled_back' || summary.state === 'failed') && (
          <Link to={`/postmortems/${encodeURIComponent(id)}`}>Post-mortem</Link>
        )}
      </nav>

      <section aria-labelledby="charts-heading">
        <h2 id="charts-heading">Canary vs baseline</h2>
        <ErrorBox error={observations.error} what="the measurements" />
        <RolloutCharts observations={observations.data} />
      </section>

      <VerdictPanel verdict={observations.data?.verdict} />

      <StepTimeline rollout={rollout} />

      <EventLog
        rolloutId={id}
        events={live.events}
        canObserve={canOperate}
        onAdded={live.addEvent}
      />

      <section aria-labelledby="release-heading">
        <h2 id="release-heading">Release</h2>
        <dl className="facts">
          <dt>Release</dt>
          <dd>{release.id}</dd>
          <dt>Created</dt>
          <dd>
            {time(release.createdAt)} by {release.createdBy}
          </dd>
          <dt>Risk</dt>
          <dd>{release.risk}</dd>
          {release.notes && (
            <>
              <dt>Notes</dt>
              <dd>{release.notes}</dd>
            </>
          )}
          <dt>Strategy</dt>
          <dd>
            {rollout.plan.strategy}, {rollout.plan.steps.length} steps
            {settled ? '' : `, expected ${duration(rollout.plan.expectedSeconds)}`}
          </dd>
        </dl>
      </section>
    </>
  );
}

/** A stable function that calls `fn` at most once per `ms` (trailing call kept). */
function useThrottled(fn: () => void, ms: number): () => void {
  const ref = useRef({ fn, timer: 0, last: 0 });
  ref.current.fn = fn;
  useEffect(() => () => window.clearTimeout(ref.current.timer), []);
  return useCallback(() => {
    const s = ref.current;
    if (s.timer) return;
    const wait = Math.max(0, s.last + ms - Date.now());
    s.timer = window.setTimeout(() => {
      s.timer = 0;
      s.last = Date.now();
      s.fn();
    }, wait);
  }, [ms]);
}
