// A manager's seat assignment page for one license of a managed customer: who holds a seat (GET …/users), assign a
// seat by email within the policy's maxUsers (POST …/users: LICENSE_USERS_LIMIT_EXCEEDED shown in place), take
// one back (DELETE …/users/{userId}). A new email becomes a license user of the customer, invited by the vendor.
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { emailMax, nameMax } from '../../../../src/api/rules';
import { Badge } from '../../../../src/components/Badge';
import { ConfirmButton } from '../../../../src/components/ConfirmButton';
import { ErrorBanner } from '../../../../src/components/ErrorBanner';
import { TextField } from '../../../../src/components/Field';
import { FormBanner, formErrors } from '../../../../src/components/FormErrors';
import { CustomerHeading } from '../../components/CustomerHeading';
import { useAssignSeat, useCustomerUsage, useSeatHolders, useUnassignSeat } from '../../hooks/portal';
import { of } from './CustomerLicenses';

export const Seats = () => {
  const { customerId = '', licenseId = '' } = useParams();
  const holders = useSeatHolders(customerId, licenseId);
  const usage = useCustomerUsage(customerId);
  const assign = useAssignSeat(customerId, licenseId);
  const unassign = useUnassignSeat(customerId, licenseId);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const seats = usage.data?.data.find((entry) => entry.licenseId === licenseId)?.users;
  const { fields } = formErrors(assign.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    assign.mutate(
      { email: email.trim(), ...(name.trim() ? { name: name.trim() } : {}) },
      {
        onSuccess: () => {
          setEmail('');
          setName('');
        },
      },
    );
  };
  const rows = holders.data?.data ?? [];
  return (
    <section>
      <CustomerHeading title={`Seats of license ${licenseId}`} customerId={customerId} />
      <p>
        <Link to={`/customers/${customerId}`}>Back to the licenses</Link>
      </p>
      <ErrorBanner error={holders.error} onRetry={() => void holders.refetch()} />
      {seats ? (
        <p role="status">
          {of(seats.used, seats.max)} seats assigned{seats.max === null ? ' (no limit)' : ''}
        </p>
      ) : null}
      {holders.isSuccess ? (
        rows.length === 0 ? (
          <p className="muted">No one holds a seat of this license.</p>
        ) : (
          <table aria-label="Seat holders">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Password set</th>
                <th scope="col">Status</th>
                <th scope="col">Unassign</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((user) => (
                <tr key={user.id}>
                  <td>{user.email}</td>
                  {/* A user created by email alone is named by it: shown once. */}
                  <td>{user.name === user.email ? '—' : user.name}</td>
                  <td>{user.passwordSet ? 'yes' : 'not yet'}</td>
                  <td>
                    <Badge value={user.status} />
                  </td>
                  <td>
                    <ConfirmButton
                      mutation={{
                        ...unassign,
                        error: unassign.variables === user.id ? unassign.error : null,
                      }}
                      variables={user.id}
                      question={`Take the seat back from ${user.email}? They can no longer use this license.`}
                      danger
                    >
                      Unassign {user.email}
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
      {holders.isSuccess ? (
        <form className="inline-form" aria-labelledby="assign-heading" onSubmit={submit}>
          <h2 id="assign-heading">Assign a seat</h2>
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
            label="Name (optional)"
            maxLength={nameMax}
            error={fields.name}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" disabled={assign.isPending}>
            {assign.isPending ? 'Assigning…' : 'Assign seat'}
          </button>
          <FormBanner error={assign.error} />
          {assign.isSuccess ? (
            <p role="status" className="notice">
              {assign.data.email} holds a seat.
            </p>
          ) : null}
        </form>
      ) : null}
    </section>
  );
};
