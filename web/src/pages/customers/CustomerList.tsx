// Customers: the list, and a form to add one by email.
import { type FormEvent, useState } from 'react';
import { emailMax, nameMax } from '../../api/rules';
import { Badge } from '../../components/Badge';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { type Customer, fetchCustomers, useCreateCustomer } from '../../hooks/resources';
import { useSession } from '../../hooks/session';

const AddCustomer = () => {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const create = useCreateCustomer();
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ email, ...(name ? { name } : {}) });
  };
  return (
    <details className="panel">
      <summary>Add a customer</summary>
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
          Add customer
        </button>
      </form>
    </details>
  );
};

export const CustomerList = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>Customers</h1>
      {can('customers:write') ? <AddCustomer /> : null}
      <PagedList<Customer>
        label="Customers"
        queryKey={['customers', 'list']}
        fetchPage={fetchCustomers}
        columns={[
          { header: 'Email', cell: (customer) => customer.email },
          { header: 'Name', cell: (customer) => customer.name || '—' },
          { header: 'Company', cell: (customer) => customer.company ?? '—' },
          { header: 'Status', cell: (customer) => <Badge value={customer.status} /> },
        ]}
      />
    </section>
  );
};
