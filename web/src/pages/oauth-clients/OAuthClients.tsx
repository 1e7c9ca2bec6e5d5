// OAuth clients: machine credentials that trade their id and secret for short-lived access tokens at
// /v1/oauth/token (client credentials). Those who hold keys:write create one with the scopes they hold themselves
// (the secret is answered once, shown with a copy button) and revoke one, which ends its tokens at once.
import { type FormEvent, useState } from 'react';
import type { Scope } from '../../api/client';
import { Badge, when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyButton } from '../../components/CopyButton';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { SecretOnce } from '../../components/Secret';
import {
  fetchOauthClients,
  type OAuthClient,
  useCreateOauthClient,
  useRevokeOauthClient,
} from '../../hooks/admin';
import { useSession } from '../../hooks/session';

/** Every scope the API knows, in its order: a Record, so the build fails when the API adds or renames one. */
const scopeSet: Record<Scope, true> = {
  'products:read': true,
  'products:write': true,
  'policies:read': true,
  'policies:write': true,
  'customers:read': true,
  'customers:write': true,
  'licenses:read': true,
  'licenses:write': true,
  'machines:read': true,
  'machines:write': true,
  'orders:read': true,
  'orders:write': true,
  'releases:read': true,
  'releases:write': true,
  'webhooks:read': true,
  'webhooks:write': true,
  'monitor:read': true,
  'monitor:write': true,
  'incidents:read': true,
  'incidents:write': true,
  'actions:read': true,
  'actions:write': true,
  'actions:approve': true,
  'keys:read': true,
  'keys:write': true,
  'operators:read': true,
  'operators:write': true,
  'audit:read': true,
  admin: true,
};
const allScopes = Object.keys(scopeSet) as Scope[];

/** The API's bounds of a token's lifetime (seconds) and its default. */
const ttl = { min: 60, max: 86_400, default: 3600 };

/** The error of a field or of one of its items (`productIds.0`). */
const errorOf = (fields: Record<string, string>, name: string) =>
  fields[name] ?? Object.entries(fields).find(([key]) => key.startsWith(`${name}.`))?.[1];

const CreateClient = () => {
  const { can } = useSession();
  const create = useCreateOauthClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [productIds, setProductIds] = useState('');
  const [tokenTtl, setTokenTtl] = useState(String(ttl.default));
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const products = productIds
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    create.mutate(
      {
        name,
        scopes,
        ...(products.length ? { productIds: products } : {}),
        ...(tokenTtl.trim() ? { tokenTtlSeconds: Number(tokenTtl) } : {}),
      },
      {
        onSuccess: () => {
          setName('');
          setScopes([]);
          setProductIds('');
          setTokenTtl(String(ttl.default));
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Create an OAuth client</summary>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          required
          maxLength={100}
          value={name}
          error={fields.name}
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset aria-describedby={errorOf(fields, 'scopes') ? 'oauth-scopes-error' : undefined}>
          <legend>Scopes</legend>
          {errorOf(fields, 'scopes') ? (
            <p id="oauth-scopes-error" className="field-error">
              {errorOf(fields, 'scopes')}
            </p>
          ) : null}
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
        <TextField
          label="Restrict to products (ids or codes, comma-separated)"
          hint="empty: every product"
          value={productIds}
          error={errorOf(fields, 'productIds')}
          onChange={(event) => setProductIds(event.target.value)}
        />
        <TextField
          label="Token lifetime (seconds)"
          type="number"
          min={ttl.min}
          max={ttl.max}
          hint={`from ${ttl.min} to ${ttl.max}; empty: ${ttl.default}`}
          value={tokenTtl}
          error={fields.tokenTtlSeconds}
          onChange={(event) => setTokenTtl(event.target.value)}
        />
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending || scopes.length === 0}>
          Create client
        </button>
      </form>
      {create.data ? (
        <>
          <p role="status">
            Client id <code>{create.data.clientId}</code>{' '}
            <CopyButton text={create.data.clientId} label="Copy id" />
          </p>
          <SecretOnce label={`Client secret of ${create.data.name}`} secret={create.data.clientSecret} />
        </>
      ) : null}
    </details>
  );
};

const Revoke = ({ client }: { client: OAuthClient }) => {
  const revoke = useRevokeOauthClient();
  if (client.revokedAt) return <span className="muted">revoked {when(client.revokedAt)}</span>;
  return (
    <ConfirmButton
      danger
      mutation={revoke}
      variables={client.id}
      question={`Revoke ${client.name}? Its tokens stop working at once, and it gets no new one.`}
    >
      Revoke
    </ConfirmButton>
  );
};

export const OAuthClients = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>OAuth clients</h1>
      {can('keys:write') ? <CreateClient /> : null}
      <PagedList<OAuthClient>
        label="OAuth clients"
        queryKey={['oauth-clients', 'list']}
        fetchPage={fetchOauthClients}
        empty="No OAuth client yet."
        columns={[
          { header: 'Name', cell: (client) => client.name },
          { header: 'Client id', cell: (client) => <code>{client.clientId}</code> },
          { header: 'Scopes', cell: (client) => client.scopes.join(', ') },
          { header: 'Products', cell: (client) => client.productIds?.join(', ') ?? 'every product' },
          { header: 'Token lifetime', cell: (client) => `${client.tokenTtlSeconds} s` },
          { header: 'Created', cell: (client) => when(client.createdAt) },
          { header: 'State', cell: (client) => <Badge value={client.revokedAt ? 'revoked' : 'active'} /> },
          ...(can('keys:write')
            ? [{ header: 'Revoke', cell: (client: OAuthClient) => <Revoke client={client} /> }]
            : []),
        ]}
      />
    </section>
  );
};
