// Signing keys: the Ed25519 keys that sign license files, signed validations and access tokens (never their
// private halves). Those who hold keys:write rotate (a new active key; the previous one verifies only) and retire
// a verify_only key (what it signed stops verifying, for good), each after a confirm.
import { Badge, when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyButton } from '../../components/CopyButton';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagedList } from '../../components/PagedList';
import {
  fetchSigningKeys,
  type SigningKey,
  useRetireSigningKey,
  useRotateSigningKey,
} from '../../hooks/admin';
import { useSession } from '../../hooks/session';

type Row = SigningKey & { id: string };

const Rotate = () => {
  const rotate = useRotateSigningKey();
  return (
    <div className="panel">
      <p>
        Rotating makes a new active key that signs from now on. The keys active until now verify only: what
        they signed keeps verifying until they are retired.
      </p>
      <button
        type="button"
        disabled={rotate.isPending}
        onClick={() =>
          window.confirm(
            'Rotate the signing key? A new key signs from now on; the current one verifies only.',
          ) && rotate.mutate(undefined)
        }
      >
        Rotate
      </button>
      <ErrorBanner error={rotate.error} />
      {rotate.data ? (
        <p role="status">
          New active key <code>{rotate.data.kid}</code>.
        </p>
      ) : null}
    </div>
  );
};

const Retire = ({ signingKey }: { signingKey: Row }) => {
  const retire = useRetireSigningKey();
  // The active key is rotated out first; a retired key stays retired.
  if (signingKey.status !== 'verify_only') return null;
  return (
    <ConfirmButton
      danger
      mutation={retire}
      variables={signingKey.kid}
      question={`Retire ${signingKey.kid}? License files, signed answers and tokens it signed stop verifying. This cannot be undone.`}
    >
      Retire
    </ConfirmButton>
  );
};

export const SigningKeys = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>Signing keys</h1>
      {can('keys:write') ? <Rotate /> : null}
      <PagedList<Row>
        label="Signing keys"
        queryKey={['signing-keys', 'list']}
        fetchPage={fetchSigningKeys}
        empty="No signing key yet: the server makes one when it first starts."
        columns={[
          { header: 'Key id', cell: (key) => <code>{key.kid}</code> },
          { header: 'Status', cell: (key) => <Badge value={key.status} /> },
          { header: 'Algorithm', cell: (key) => key.algorithm },
          { header: 'Created', cell: (key) => when(key.createdAt) },
          // The API answers no retirement time: a retired key is changed by nothing after its retirement.
          { header: 'Retired', cell: (key) => (key.status === 'retired' ? when(key.updatedAt) : '—') },
          {
            header: 'Public key',
            cell: (key) => <CopyButton text={key.publicKey} label="Copy public key" />,
          },
          ...(can('keys:write')
            ? [{ header: 'Retire', cell: (key: Row) => <Retire signingKey={key} /> }]
            : []),
        ]}
      />
    </section>
  );
};
