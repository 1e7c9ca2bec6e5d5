// Operators: the people who sign in here, with their role. Those who hold operators:write (owners) add one, change
// a role, and disable or enable one (disabling ends their sessions at once). Their own account is left alone here,
// so nobody locks themselves out by a click; the API refuses to demote or disable the last active owner.
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import { Badge, when } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field, TextField } from '../../components/Field';
import { formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import {
  fetchOperators,
  type Operator,
  type Role,
  useCreateOperator,
  useUpdateOperator,
} from '../../hooks/admin';
import { useSession } from '../../hooks/session';

const roleWords: Record<Role, string> = {
  owner: 'owner: everything, operators included',
  admin: 'admin: everything but operators',
  operator: 'operator: licenses, machines, customers, orders, incidents',
  viewer: 'viewer: reads',
};
const roles = Object.keys(roleWords) as Role[];

/** The roles this operator may give: an owner's power is every scope (`admin`), no other role may make an owner. */
const useGivableRoles = () => {
  const { session } = useSession();
  return session?.scopes.includes('admin') ? roles : roles.filter((role) => role !== 'owner');
};

/** The API's rule for a password. */
const minPassword = 12;

const AddOperator = () => {
  const create = useCreateOperator();
  const givable = useGivableRoles();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const { fields } = formErrors(create.error);
  const taken = create.error instanceof ApiError && create.error.code === 'ALREADY_EXISTS';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email, role, password, ...(name.trim() ? { name: name.trim() } : {}) },
      {
        onSuccess: () => {
          setEmail('');
          setName('');
          setRole('viewer');
          setPassword('');
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Add an operator</summary>
      <form onSubmit={submit}>
        <TextField
          label="Email"
          type="email"
          required
          maxLength={320}
          autoComplete="off"
          error={fields.email ?? (taken ? create.error?.message : undefined)}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label="Name"
          maxLength={200}
          hint="empty: the email"
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <Field label="Role" error={fields.role}>
          {(props) => (
            <select {...props} value={role} onChange={(event) => setRole(event.target.value as Role)}>
              {givable.map((choice) => (
                <option key={choice} value={choice}>
                  {roleWords[choice]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          label="Password"
          type="password"
          required
          minLength={minPassword}
          maxLength={1024}
          autoComplete="new-password"
          hint={`at least ${minPassword} characters; they can change it once signed in`}
          error={fields.password}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorBanner error={Object.keys(fields).length || taken ? null : create.error} />
        <button type="submit" disabled={create.isPending}>
          Add operator
        </button>
        {create.isSuccess ? <p role="status">Operator {create.data.email} added.</p> : null}
      </form>
    </details>
  );
};

const ChangeRole = ({ operator }: { operator: Operator }) => {
  const update = useUpdateOperator();
  const givable = useGivableRoles();
  const [role, setRole] = useState<Role>(operator.role);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ id: operator.id, role });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <select
        aria-label={`Role of ${operator.email}`}
        value={role}
        onChange={(event) => setRole(event.target.value as Role)}
      >
        {(givable.includes(operator.role) ? givable : [operator.role, ...givable]).map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
      <button type="submit" disabled={update.isPending || role === operator.role}>
        Change role
      </button>
      <ErrorBanner error={update.error} />
    </form>
  );
};

const Access = ({ operator }: { operator: Operator }) => {
  const update = useUpdateOperator();
  return (
    <>
      {operator.disabled ? (
        <button
          type="button"
          disabled={update.isPending}
          onClick={() => update.mutate({ id: operator.id, disabled: false })}
        >
          Enable
        </button>
      ) : (
        <button
          type="button"
          className="danger"
          disabled={update.isPending}
          onClick={() =>
            window.confirm(
              `Disable ${operator.email}? Their sessions end at once and they cannot sign in.`,
            ) && update.mutate({ id: operator.id, disabled: true })
          }
        >
          Disable
        </button>
      )}
      <ErrorBanner error={update.error} />
    </>
  );
};

export const OperatorList = () => {
  const { can, session } = useSession();
  const self = (operator: Operator) => operator.id === session?.operator.id;
  return (
    <section>
      <h1>Operators</h1>
      {can('operators:write') ? <AddOperator /> : null}
      <PagedList<Operator>
        label="Operators"
        queryKey={['operators', 'list']}
        fetchPage={fetchOperators}
        columns={[
          { header: 'Email', cell: (operator) => operator.email },
          { header: 'Name', cell: (operator) => operator.name },
          { header: 'Role', cell: (operator) => operator.role },
          {
            header: 'State',
            cell: (operator) => (
              <>
                <Badge value={operator.disabled ? 'disabled' : 'active'} />
                {operator.disabledAt ? (
                  <span className="muted"> since {when(operator.disabledAt)}</span>
                ) : null}
              </>
            ),
          },
          { header: 'Created', cell: (operator) => when(operator.createdAt) },
          ...(can('operators:write')
            ? [
                {
                  header: 'Change role',
                  cell: (operator: Operator) =>
                    self(operator) ? (
                      <span className="muted">your own account</span>
                    ) : (
                      // Keyed by the role answered, so the choice starts again from it after a change.
                      <ChangeRole key={operator.role} operator={operator} />
                    ),
                },
                {
                  header: 'Access',
                  cell: (operator: Operator) => (self(operator) ? null : <Access operator={operator} />),
                },
              ]
            : []),
        ]}
      />
    </section>
  );
};
