import { useState } from 'react';
import { ApiError, apiFetch } from '../api/api-client.js';
import type {
  CommandAccepted,
  CommandName,
  RolloutState,
  RolloutSummary,
} from '../api/api-types.js';
import { ConfirmDialog } from './confirm-dialog.js';

interface CommandSpec {
  label: string;
  /** Which states allow it (core/rollout/rollout-commands.ts COMMAND_STATES; the server decides). */
  states: readonly RolloutState[];
  title: (r: RolloutSummary) => string;
  description: (r: RolloutSummary) => string;
  danger?: boolean;
}

const COMMANDS: Partial<Record<CommandName, CommandSpec>> = {
  pause: {
    label: 'Pause',
    states: ['running'],
    title: () => 'Pause the rollout?',
    description: (r) =>
      `${r.service} ${r.version} stays at ${r.weight} % and the judge stops deciding until someone resumes it.`,
  },
  resume: {
    label: 'Resume',
    states: ['paused'],
    title: () => 'Resume the rollout?',
    description: (r) =>
      `${r.service} ${r.version} continues from step ${r.stepIndex + 1} (${r.stepName}).`,
  },
  promote: {
    label: 'Promote',
    states: ['running', 'paused'],
    title: () => 'Promote to the next step?',
    description: (r) =>
      `Ends step ${r.stepIndex + 1} (${r.stepName}) now, without waiting for the judge.`,
  },
  promote_full: {
    label: 'Promote to 100 %',
    states: ['running', 'paused'],
    title: () => 'Promote to 100 %?',
    description: (r) =>
      `Sends all traffic to ${r.version} now, skipping the remaining canary steps.`,
    danger: true,
  },
  abort: {
    label: 'Abort',
    states: ['pending', 'running', 'paused'],
    title: () => 'Abort and roll back?',
    description: (r) => `Stops the rollout and returns ${r.service} to ${r.previousVersion}.`,
    danger: true,
  },
  rollback: {
    label: 'Roll back',
    states: ['completed', 'failed'],
    title: () => 'Roll back the release?',
    description: (r) => `Returns ${r.service} from ${r.version} to ${r.previousVersion}.`,
    danger: true,
  },
  retry: {
    label: 'Retry rollback',
    states: ['failed'],
    title: () => 'Retry the rollback?',
    description: (r) => `Runs the rollback of ${r.service} to ${r.previousVersion} again.`,
    danger: true,
  },
};

/** The command buttons a rollout's state allows; each asks for confirmation first. */
export function CommandBar(props: {
  summary: RolloutSummary;
  onDone: (r: RolloutSummary) => void;
}) {
  const { summary } = props;
  const [open, setOpen] = useState<CommandName>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const allowed = (Object.entries(COMMANDS) as [CommandName, CommandSpec][]).filter(([, c]) =>
    c.states.includes(summary.state),
  );
  const spec = open ? COMMANDS[open] : undefined;

  const send = async (command: CommandName, reason: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await apiFetch<CommandAccepted>(
        `/rollouts/${encodeURIComponent(summary.id)}/commands`,
        { method: 'POST', body: { command, ...(reason ? { reason } : {}) } },
      );
      setOpen(undefined);
      props.onDone(res.rollout);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-label="Commands" className="commands">
      {allowed.length === 0 ? (
        <p className="muted">
          No command applies to a rollout that is {summary.state.replace(/_/g, ' ')}.
        </p>
      ) : (
        allowed.map(([name, c]) => (
          <button
            key={name}
            type="button"
            className={c.danger ? 'danger' : undefined}
            onClick={() => {
              setError(undefined);
              setOpen(name);
            }}
          >
            {c.label}
          </button>
        ))
      )}
      {open && spec && (
        <ConfirmDialog
          title={spec.title(summary)}
          description={spec.description(summary)}
          confirmLabel={`Confirm ${spec.label.toLowerCase()}`}
          danger={spec.danger ?? false}
          withReason
          busy={busy}
          error={error}
          onConfirm={(reason) => void send(open, reason)}
          onCancel={() => setOpen(undefined)}
        />
      )}
    </section>
  );
}
