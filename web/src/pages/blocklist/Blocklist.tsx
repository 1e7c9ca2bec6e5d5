// The device blocklist: fingerprints refused activation (DEVICE_BLOCKED), on one product or on all. Blocking goes
// through a proposal where CHARTER_REQUIRE_APPROVAL keeps block_device for a second operator.
import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { ProductSelect } from '../../components/ProductSelect';
import { isApprovalGate, ProposeInstead } from '../../components/Proposal';
import { type BlocklistEntry, fetchBlocklist, useBlockDevice, useUnblockDevice } from '../../hooks/catalog';
import { useSession } from '../../hooks/session';

const BlockDevice = () => {
  const block = useBlockDevice();
  const [fingerprint, setFingerprint] = useState('');
  const [productId, setProductId] = useState('');
  const [reason, setReason] = useState('');
  const [proposed, setProposed] = useState(false);
  const { fields } = formErrors(block.error);
  const entry = {
    fingerprint: fingerprint.trim(),
    ...(productId ? { productId } : {}),
    ...(reason.trim() ? { reason: reason.trim() } : {}),
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProposed(false);
    block.mutate(entry, {
      onSuccess: () => {
        setFingerprint('');
        setReason('');
      },
    });
  };
  return (
    <details className="panel">
      <summary>Block a device</summary>
      <form onSubmit={submit}>
        <TextField
          label="Fingerprint"
          required
          maxLength={255}
          error={fields.fingerprint}
          value={fingerprint}
          onChange={(event) => setFingerprint(event.target.value)}
        />
        <ProductSelect
          none="Every product"
          value={productId}
          onChange={setProductId}
          error={fields.productId}
        />
        <TextField
          label="Reason (kept with the entry)"
          maxLength={500}
          error={fields.reason}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        {isApprovalGate(block.error) ? null : <FormBanner error={block.error} />}
        <button type="submit" disabled={block.isPending}>
          Block device
        </button>
      </form>
      {isApprovalGate(block.error) ? (
        <ProposeInstead
          proposal={{ kind: 'block_device', params: entry }}
          label="Propose the block"
          onDone={() => {
            setProposed(true);
            block.reset();
            setFingerprint('');
            setReason('');
          }}
        />
      ) : null}
      {proposed ? <p role="status">Proposed: it waits for approval.</p> : null}
    </details>
  );
};

const Unblock = ({ entry }: { entry: BlocklistEntry }) => {
  const unblock = useUnblockDevice();
  return (
    <ConfirmButton
      mutation={unblock}
      variables={entry.id}
      question={`Unblock ${entry.fingerprint}? It may activate again.`}
    >
      Unblock
    </ConfirmButton>
  );
};

export const Blocklist = () => {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const fingerprint = params.get('fingerprint') ?? '';
  const [search, setSearch] = useState(fingerprint);
  return (
    <section>
      <h1>Blocklist</h1>
      {can('licenses:write') ? <BlockDevice /> : null}
      <form
        className="filters"
        aria-label="Find a device"
        onSubmit={(event) => {
          event.preventDefault();
          setParams(search.trim() ? { fingerprint: search.trim() } : {});
        }}
      >
        <TextField label="Fingerprint" value={search} onChange={(event) => setSearch(event.target.value)} />
        <button type="submit">Search</button>
      </form>
      <PagedList<BlocklistEntry>
        label="Blocked devices"
        queryKey={['blocklist', 'list', fingerprint]}
        fetchPage={fetchBlocklist(fingerprint ? { fingerprint } : {})}
        empty="No device is blocked."
        columns={[
          { header: 'Fingerprint', cell: (entry) => <code>{entry.fingerprint}</code> },
          { header: 'Product', cell: (entry) => entry.productId ?? 'every product' },
          { header: 'Reason', cell: (entry) => entry.reason ?? '—' },
          { header: 'Blocked', cell: (entry) => when(entry.createdAt) },
          ...(can('licenses:write')
            ? [{ header: 'Unblock', cell: (entry: BlocklistEntry) => <Unblock entry={entry} /> }]
            : []),
        ]}
      />
    </section>
  );
};
