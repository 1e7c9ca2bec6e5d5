// License users: the named people of per-user products (licenseModel: user), assigned to licenses within their
// policy's maxUsers on each license's page. Found by email; added, renamed and removed by an operator holding
// customers:write (removing one ends every assignment of it).
import { type FormEvent, useState } from 'react';
import { useSearchParams } from 'react-router';
import { emailMax, nameMax } from '../../api/rules';
import { when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import {
  fetchLicenseUsers,
  type LicenseUser,
  useCreateLicenseUser,
  useDeleteLicenseUser,
  useRenameLicenseUser,
} from '../../hooks/catalog';
import { useSession } from '../../hooks/session';

const AddUser = () => {
  const create = useCreateLicenseUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), ...(name.trim() ? { name: name.trim() } : {}) },
      {
        onSuccess: () => {
          setEmail('');
          setName('');
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Add a license user</summary>
      <form onSubmit={submit}>
        <TextField
          label="Email"
          type="email"
          required
          maxLength={emailMax}
          error={fields.email}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label="Name"
          maxLength={nameMax}
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Add user
        </button>
      </form>
    </details>
  );
};

const Rename = ({ user }: { user: LicenseUser }) => {
  const rename = useRenameLicenseUser();
  const [name, setName] = useState(user.name);
  const { fields } = formErrors(rename.error);
  return (
    <form
      className="inline-form"
      aria-label={`Rename ${user.email}`}
      onSubmit={(event) => {
        event.preventDefault();
        rename.mutate({ id: user.id, name: name.trim() });
      }}
    >
      <TextField
        label={`Name of ${user.email}`}
        required
        maxLength={nameMax}
        error={fields.name}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" disabled={rename.isPending || name.trim() === user.name}>
        Save
      </button>
      {rename.isSuccess && name.trim() === user.name ? <span role="status">Saved</span> : null}
      <FormBanner error={rename.error} />
    </form>
  );
};

const Remove = ({ user }: { user: LicenseUser }) => {
  const remove = useDeleteLicenseUser();
  return (
    <ConfirmButton
      danger
      mutation={remove}
      variables={user.id}
      question={`Remove ${user.email}? Every license assigned to them loses them.`}
    >
      Remove
    </ConfirmButton>
  );
};

export const LicenseUsers = () => {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const email = params.get('email') ?? '';
  const [search, setSearch] = useState(email);
  const writable = can('customers:write');
  return (
    <section>
      <h1>License users</h1>
      {writable ? <AddUser /> : null}
      <form
        className="filters"
        aria-label="Find a user"
        onSubmit={(event) => {
          event.preventDefault();
          setParams(search.trim() ? { email: search.trim() } : {});
        }}
      >
        <TextField
          label="Email"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <PagedList<LicenseUser>
        label="License users"
        queryKey={['license-users', 'list', email]}
        fetchPage={fetchLicenseUsers(email ? { email } : {})}
        empty="No license user yet: per-user products assign them on each license."
        columns={[
          { header: 'Email', cell: (user) => user.email },
          { header: 'Name', cell: (user) => (writable ? <Rename user={user} /> : user.name) },
          { header: 'Added', cell: (user) => when(user.createdAt) },
          ...(writable ? [{ header: 'Remove', cell: (user: LicenseUser) => <Remove user={user} /> }] : []),
        ]}
      />
    </section>
  );
};
