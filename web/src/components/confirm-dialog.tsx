import { type FormEvent, useEffect, useId, useRef, useState } from 'react';

interface ConfirmDialogProps {
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  /** Asks for a reason (recorded on the rollout's timeline). */
  withReason?: boolean;
  busy?: boolean;
  error?: string | undefined;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}

/** A modal confirmation (native <dialog>): Escape and Cancel close it, focus starts on Cancel. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [reason, setReason] = useState('');
  const titleId = useId();
  const reasonId = useId();
  const descId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => dialog?.close();
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onConfirm(reason.trim());
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={descId}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
      className="dialog"
    >
      <form onSubmit={submit}>
        <h2 id={titleId}>{props.title}</h2>
        <p id={descId}>{props.description}</p>
        {props.withReason && (
          <p>
            <label htmlFor={reasonId}>Reason (optional, goes on the timeline)</label>
            <input
              id={reasonId}
              type="text"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={500}
            />
          </p>
        )}
        {props.error && (
          <p role="alert" className="error">
            {props.error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" ref={cancelRef} onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </button>
          <button
            type="submit"
            className={props.danger ? 'danger' : 'primary'}
            disabled={props.busy}
          >
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
