import type { RolloutSnapshot } from '../api/api-types.js';
import { clockTime, duration, secondsBetween } from '../format.js';
import { StateBadge } from './status.js';

type PlanStep = RolloutSnapshot['plan']['steps'][number];

/** Planned seconds of a step: a traffic step's minimum hold, a watch window's length. */
function plannedSeconds(step: PlanStep): number {
  if (step.kind === 'traffic') return step.minHoldSeconds;
  if (step.kind === 'watch') return step.durationSeconds;
  return 0;
}

function plannedText(step: PlanStep): string {
  switch (step.kind) {
    case 'traffic':
      return `${step.weight} %, hold ${duration(step.minHoldSeconds)}–${duration(step.maxHoldSeconds)}`;
    case 'watch':
      return `watch ${step.window}, ${duration(step.durationSeconds)}`;
    case 'checks':
      return `${step.phase}: ${step.checks.join(', ') || 'no checks'}`;
    case 'deploy':
      return `deploy to ${step.target}`;
    case 'approval':
      return `approval${step.approvers.length ? ` by ${step.approvers.join(', ')}` : ''}`;
  }
}

/**
 * The plan's steps with planned vs actual times: the planned start is the rollout's start
 * plus the planned lengths of the steps before (actual starts where known), so a step
 * that held longer than planned shows its delay.
 */
export function StepTimeline(props: { rollout: RolloutSnapshot }) {
  const { rollout } = props;
  const steps = rollout.plan.steps;
  const start = rollout.steps[0]?.startedAt ?? rollout.createdAt;
  let offset = 0;
  const rows = steps.map((step, i) => {
    const status = rollout.steps[i];
    const plannedStart = new Date(Date.parse(start) + offset * 1000).toISOString();
    offset += plannedSeconds(step);
    const actual = secondsBetween(status?.startedAt, status?.endedAt);
    const delay = status?.startedAt ? secondsBetween(plannedStart, status.startedAt) : undefined;
    return { step, i, status, plannedStart, actual, delay };
  });
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading">Steps</h2>
      <div className="table-wrap">
        <table aria-label="Steps">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Step</th>
              <th scope="col">Plan</th>
              <th scope="col">Planned start</th>
              <th scope="col">Actual start</th>
              <th scope="col">Actual end</th>
              <th scope="col">Took</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ step, i, status, plannedStart, actual, delay }) => (
              <tr
                key={`${i}-${step.name}`}
                aria-current={i === rollout.stepIndex ? 'step' : undefined}
              >
                <td className="num">{i + 1}</td>
                <td>{step.name}</td>
                <td>{plannedText(step)}</td>
                <td className="num">{clockTime(plannedStart)}</td>
                <td className="num">
                  {clockTime(status?.startedAt)}
                  {delay !== undefined && Math.abs(delay) >= 1 && (
                    <span className={delay > 0 ? 'late' : 'early'}>
                      {' '}
                      ({delay > 0 ? '+' : '−'}
                      {duration(Math.abs(delay))})
                    </span>
                  )}
                </td>
                <td className="num">{clockTime(status?.endedAt)}</td>
                <td className="num">{duration(actual)}</td>
                <td>
                  <StateBadge state={status?.state ?? 'pending'} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
