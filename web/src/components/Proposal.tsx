// Four eyes from the page: where CHARTER_REQUIRE_APPROVAL keeps an action for a second operator, the direct call
// answers 403 FORBIDDEN naming the action kind; the page then offers the same change as a proposal with a reason,
// which an operator holding actions:approve decides on the approvals page.
import { type FormEvent, useState } from 'react';
import { ApiError, type Schemas } from '../api/client';
import { useProposeAction } from '../hooks/resources';
import { ErrorBanner } from './ErrorBanner';
import { TextField } from './Field';

export type Proposal = Omit<Schemas['ActionsCreateRequest'], 'reason'>;

/** Whether a refusal is the approval gate's (and not a scope's 403): it names the action kind. */
export const isApprovalGate = (error: unknown): boolean =>
  error instanceof ApiError && error.code === 'FORBIDDEN' && typeof error.envelope.details?.kind === 'string';

/** The form proposing `proposal` with a reason; `onDone` runs once it is recorded. */
export const ProposeInstead = ({
  proposal,
  label,
  onDone,
  inline = false,
}: {
  proposal: Proposal;
  /** The button's words: "Propose revoke", "Propose release". */
  label: string;
  onDone?: () => void;
  /** One line inside a table's cell rather than a panel. */
  inline?: boolean;
}) => {
  const propose = useProposeAction();
  const [reason, setReason] = useState('');
  if (propose.isSuccess && !onDone) return <span role="status">Proposed: it waits for approval.</span>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    propose.mutate(
      { ...proposal, reason } as Schemas['ActionsCreateRequest'],
      onDone ? { onSuccess: onDone } : {},
    );
  };
  return (
    <form className={inline ? 'inline-form' : 'panel'} onSubmit={submit}>
      {inline ? null : (
        <p role="status">
          This action needs a second operator's approval. Propose it with a reason; an approver decides.
        </p>
      )}
      <TextField
        label="Reason for the approver"
        required
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <button type="submit" disabled={propose.isPending}>
        {label}
      </button>
      <ErrorBanner error={propose.error} />
    </form>
  );
};
