// The state actions a license's status allows (suspend, reinstate, revoke, renew), a transfer to another customer
// and a new end date. An action the server keeps for four eyes (403 FORBIDDEN naming its kind, under
// CHARTER_REQUIRE_APPROVAL) becomes a proposal: the operator gives a reason and a second operator approves it.
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TextField } from '../../components/Field';
import { isApprovalGate, type Proposal, ProposeInstead } from '../../components/Proposal';
import { useExtendLicense, useTransferLicense } from '../../hooks/license-parts';
import { type License, type LicenseAction, useLicenseAction } from '../../hooks/resources';

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
  const transfer = useTransferLicense(license.id);
  const extend = useExtendLicense(license.id);
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [proposed, setProposed] = useState(false);
  const [customer, setCustomer] = useState('');
  const [until, setUntil] = useState('');

  const run = (action: LicenseAction) => {
    if (
      action === 'revoke' &&
      !window.confirm('Revoke this license? A revoked license cannot be reinstated.')
    )
      return;
    setProposed(false);
    act.mutate(action, {
      onError: (error) => {
        if (isApprovalGate(error) && action !== 'renew')
          setProposal({ kind: `${action}_license`, params: { licenseId: license.id } } as Proposal);
      },
    });
  };
  const submitExtend = (event: FormEvent) => {
    event.preventDefault();
    const end = new Date(`${until}T23:59:59Z`);
    extend.mutate(end.toISOString(), {
      onError: (error) => {
        if (!isApprovalGate(error)) return;
        const from = Math.max(Date.now(), license.expiresAt ? Date.parse(license.expiresAt) : Date.now());
        const seconds = Math.round((end.getTime() - from) / 1000);
        if (seconds > 0) setProposal({ kind: 'extend_license', params: { licenseId: license.id, seconds } });
      },
    });
  };
  const fieldOf = (error: unknown, field: string) =>
    error instanceof ApiError ? error.fieldErrors()[field] : undefined;
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
      {proposal ? (
        <ProposeInstead
          proposal={proposal}
          label={`Propose ${proposal.kind.replace('_license', '')}`}
          onDone={() => {
            setProposal(null);
            setProposed(true);
            act.reset();
            extend.reset();
          }}
        />
      ) : (
        <ErrorBanner error={act.error} />
      )}
      {proposed ? <p role="status">Proposed: it waits for approval.</p> : null}
      {license.status !== 'revoked' ? (
        <div className="forms">
          <form
            className="inline-form"
            aria-label="Transfer"
            onSubmit={(event) => {
              event.preventDefault();
              transfer.mutate(customer.trim(), { onSuccess: () => setCustomer('') });
            }}
          >
            <TextField
              label="Transfer to customer (id or email)"
              required
              error={fieldOf(transfer.error, 'customerId')}
              value={customer}
              onChange={(event) => setCustomer(event.target.value)}
            />
            <button type="submit" disabled={transfer.isPending}>
              Transfer
            </button>
            {fieldOf(transfer.error, 'customerId') ? null : <ErrorBanner error={transfer.error} />}
          </form>
          <form className="inline-form" aria-label="Extend" onSubmit={submitExtend}>
            <TextField
              label="New end date (UTC)"
              type="date"
              required
              error={fieldOf(extend.error, 'expiresAt')}
              value={until}
              onChange={(event) => setUntil(event.target.value)}
            />
            <button type="submit" disabled={extend.isPending}>
              Set end date
            </button>
            {isApprovalGate(extend.error) || fieldOf(extend.error, 'expiresAt') ? null : (
              <ErrorBanner error={extend.error} />
            )}
          </form>
        </div>
      ) : null}
    </div>
  );
};
