// API keys: who holds what, created with the scopes the operator may hand on; the secret is shown once with a
// copy button; revoking ends the key at once.
import { type FormEvent, useState } from 'react';
import type { Scope } from '../../api/client';
import { Badge, when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { SecretOnce } from '../../components/Secret';
import { type ApiKey, fetchApiKeys, useCreateApiKey, useRevokeApiKey } from '../../hooks/access';
import { useSession } from '../../hooks/session';

/** The scopes offered: what the operator holds (a key never gets more than its creator). */
const allScopes: Scope[] = [
  'products:read',
  'products:write',
  'policies:read',
  'policies:write',
  'customers:read',
  'customers:write',
  'licenses:read',
  'licenses:write',
  'machines:read',
  'machines:write',
  'orders:read',
  'orders:write',
  'releases:read',
  'releases:write',
  'webhooks:read',
  'webhooks:write',
  'monitor:read',
  'monitor:write',
  'incidents:read',
  'incidents:write',
  'actions:read',
  'actions:write',
  'actions:approve',
  'keys:read',
  'keys:write',
  'audit:read',
];

const CreateKey = () => {
  const { can } = useSession();
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [readOnly, setReadOnly] = useState(false);
  const [productIds, setProductIds] = useState('');
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const products = productIds
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    create.mutate({ name, scopes, readOnly, ...(products.length ? { productIds: products } : {}) });
  };
  return (
    <details className="panel">
      <summary>Create an API key</summary>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          required
          value={name}
          error={fields.name}
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset>
          <legend>Scopes</legend>
          {fields.scopes ? <p className="field-error">{fields.scopes}</p> : null}
          <div className="checks">
            {allScopes
              .filter((scope) => can(scope))
              .map((scope) => (
                <label key={scope}>
                  <input
                    type="checkbox"
                    checked={scopes.includes(scope)}
                    onChange={(event) =>
                      setScopes(
                        event.target.checked ? [...scopes, scope] : scopes.filter((item) => item !== scope),
                      )
                    }
                  />{' '}
                  {scope}
                </label>
              ))}
          </div>
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={readOnly} onChange={(event) => setReadOnly(event.target.checked)} />{' '}
          Read-only
        </label>
        <TextField
          label="Restrict to products (ids or codes, comma-separated)"
          hint="empty: every product"
          value={productIds}
          error={fields.productIds}
          onChange={(event) => setProductIds(event.target.value)}
        />
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending || scopes.length === 0}>
          Create key
        </button>
      </form>
      {create.data ? <SecretOnce label={`API key ${create.data.name}`} secret={create.data.secret} /> : null}
    </details>
  );
};

const Revoke = ({ apiKey }: { apiKey: ApiKey }) => {
  const revoke = useRevokeApiKey();
  if (apiKey.revokedAt) return <span className="muted">revoked {when(apiKey.revokedAt)}</span>;
  return (
    <ConfirmButton
      danger
      mutation={revoke}
      variables={apiKey.id}
      question={`Revoke ${apiKey.name}? Calls with it fail at once.`}
    >
      Revoke
    </ConfirmButton>
  );
};

export const ApiKeys = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>API keys</h1>
      {can('keys:write') ? <CreateKey /> : null}
      <PagedList<ApiKey>
        label="API keys"
        queryKey={['api-keys', 'list']}
        fetchPage={fetchApiKeys}
        empty="No API key yet."
        columns={[
          { header: 'Name', cell: (key) => key.name },
          { header: 'Prefix', cell: (key) => <code>{key.keyPrefix}…</code> },
          { header: 'Scopes', cell: (key) => key.scopes.join(', ') },
          { header: 'Products', cell: (key) => key.productIds?.join(', ') ?? 'every product' },
          { header: 'Last used', cell: (key) => when(key.lastUsedAt) },
          {
            header: 'State',
            cell: (key) => (
              <Badge value={key.revokedAt ? 'revoked' : key.readOnly ? 'read-only' : 'active'} />
            ),
          },
          ...(can('keys:write')
            ? [{ header: 'Revoke', cell: (key: ApiKey) => <Revoke apiKey={key} /> }]
            : []),
        ]}
      />
    </section>
  );
};
