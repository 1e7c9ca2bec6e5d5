// Policies: the list, and a form for the common ones (product, code, name, machines, duration).
import { type FormEvent, useState } from 'react';
import { codeRule } from '../../api/rules';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { ProductSelect } from '../../components/ProductSelect';
import { fetchPolicies, type Policy, useCreatePolicy } from '../../hooks/resources';
import { useSession } from '../../hooks/session';

const AddPolicy = () => {
  const [productId, setProductId] = useState('');
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [maxMachines, setMaxMachines] = useState('');
  const [days, setDays] = useState('');
  const create = useCreatePolicy();
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      productId,
      code,
      name,
      maxMachines: maxMachines === '' ? null : Number(maxMachines),
      durationSeconds: days === '' ? null : Number(days) * 86_400,
    });
  };
  return (
    <details className="panel">
      <summary>Add a policy</summary>
      <form onSubmit={submit}>
        <ProductSelect
          none="Choose a product"
          required
          value={productId}
          onChange={setProductId}
          error={fields.productId}
        />
        <TextField
          label="Code"
          required
          {...codeRule}
          error={fields.code}
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <TextField
          label="Name"
          required
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <TextField
          label="Machines per license"
          type="number"
          min={1}
          hint="empty: unlimited"
          error={fields.maxMachines}
          value={maxMachines}
          onChange={(event) => setMaxMachines(event.target.value)}
        />
        <TextField
          label="Duration in days"
          type="number"
          min={1}
          hint="empty: never expires"
          error={fields.durationSeconds}
          value={days}
          onChange={(event) => setDays(event.target.value)}
        />
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Add policy
        </button>
        {create.isSuccess ? <p role="status">Policy {create.data.code} added.</p> : null}
      </form>
    </details>
  );
};

export const PolicyList = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>Policies</h1>
      {can('policies:write') ? <AddPolicy /> : null}
      <PagedList<Policy>
        label="Policies"
        queryKey={['policies', 'list']}
        fetchPage={fetchPolicies({})}
        columns={[
          { header: 'Name', cell: (policy) => policy.name },
          { header: 'Code', cell: (policy) => <code>{policy.code}</code> },
          { header: 'Product', cell: (policy) => policy.productId },
          { header: 'Machines', cell: (policy) => policy.maxMachines ?? 'unlimited' },
          { header: 'Floating', cell: (policy) => (policy.floating ? 'yes' : 'no') },
        ]}
      />
    </section>
  );
};
