// The state actions a license's status allows (suspend, reinstate, revoke, renew). An action the server keeps
// for four eyes becomes a proposal: the operator gives a reason and a second operator approves it.
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TextField } from '../../components/Field';
import { type License, type LicenseAction, useLicenseAction, useProposeAction } from '../../hooks/resources';

const kindOf = {
  suspend: 'suspend_license',
  reinstate: 'reinstate_license',
  revoke: 'revoke_license',
} as const;

const allowed = (status: License['status']): LicenseAction[] => {
  switch (status) {
    case 'active':
      return ['suspend', 'revoke', 'renew'];
    case 'suspended':
      return ['reinstate', 'revoke'];
    case 'expired':
      return ['renew', 'revoke'];
    case 'revoked':
      return [];
  }
};

export const LicenseActions = ({ license }: { license: License }) => {
  const act = useLicenseAction(license.id);
  const propose = useProposeAction();
  const [pending, setPending] = useState<keyof typeof kindOf | null>(null);
  const [reason, setReason] = useState('');
  const run = (action: LicenseAction) => {
    if (
      action === 'revoke' &&
      !window.confirm('Revoke this license? A revoked license cannot be reinstated.')
    )
      return;
    act.mutate(action, {
      onError: (error) => {
        // The server demands an approval for this kind: offer the proposal instead.
        if (
          error instanceof ApiError &&
          error.code === 'FORBIDDEN' &&
          error.envelope.details?.kind &&
          action !== 'renew'
        )
          setPending(action);
      },
    });
  };
  const submitProposal = (event: FormEvent) => {
    event.preventDefault();
    if (!pending) return;
    propose.mutate(
      { kind: kindOf[pending], params: { licenseId: license.id }, reason },
      {
        onSuccess: () => {
          setPending(null);
          setReason('');
          act.reset();
        },
      },
    );
  };
  return (
    <div className="actions">
      <h2>Actions</h2>
      <div className="buttons">
        {allowed(license.status).map((action) => (
          <button
            key={action}
            type="button"
            className={action === 'revoke' ? 'danger' : undefined}
            disabled={act.isPending}
            onClick={() => run(action)}
          >
            {action[0]?.toUpperCase()}
            {action.slice(1)}
          </button>
        ))}
      </div>
      {pending ? (
        <form className="panel" onSubmit={submitProposal}>
          <p role="status">
            This action needs a second operator's approval. Propose it with a reason; an approver decides.
          </p>
          <TextField
            label="Reason for the approver"
            required
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <ErrorBanner error={propose.error} />
          <button type="submit" disabled={propose.isPending}>
            Propose {pending}
          </button>
        </form>
      ) : (
        <ErrorBanner error={act.error} />
      )}
      {propose.isSuccess ? <p role="status">Proposed: it waits for approval.</p> : null}
    </div>
  );
};
