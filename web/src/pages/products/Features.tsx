// A product's features, and a form to add one: on/off, metered (a maximum per period) or floating (seats).
import { type FormEvent, useState } from 'react';
import { codeRule } from '../../api/rules';
import { Field, TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { type Feature, fetchFeaturesOf, useAddFeature } from '../../hooks/features';
import { useSession } from '../../hooks/session';

const AddFeature = ({ productId }: { productId: string }) => {
  const add = useAddFeature(productId);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<Feature['kind']>('boolean');
  const [amount, setAmount] = useState('');
  const { fields } = formErrors(add.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      {
        code,
        name,
        kind,
        ...(kind === 'floating' && amount ? { seats: Number(amount) } : {}),
        ...(kind === 'consumption' && amount ? { maxConsumption: Number(amount) } : {}),
      },
      {
        onSuccess: () => {
          setCode('');
          setName('');
          setAmount('');
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Add a feature</summary>
      <form onSubmit={submit}>
        <TextField
          label="Feature code"
          required
          {...codeRule}
          error={fields.code}
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <TextField
          label="Feature name"
          required
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <Field label="Kind" error={fields.kind}>
          {(props) => (
            <select
              {...props}
              value={kind}
              onChange={(event) => setKind(event.target.value as Feature['kind'])}
            >
              <option value="boolean">on/off</option>
              <option value="consumption">metered</option>
              <option value="floating">floating seats</option>
            </select>
          )}
        </Field>
        {kind === 'boolean' ? null : (
          <TextField
            label={kind === 'floating' ? 'Seats' : 'Maximum per period'}
            type="number"
            min={1}
            error={kind === 'floating' ? fields.seats : fields.maxConsumption}
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
          />
        )}
        <FormBanner error={add.error} />
        <button type="submit" disabled={add.isPending}>
          Add feature
        </button>
      </form>
    </details>
  );
};

export const Features = ({ productId }: { productId: string }) => {
  const { can } = useSession();
  return (
    <>
      <h2>Features</h2>
      {can('products:write') ? <AddFeature productId={productId} /> : null}
      <PagedList<Feature>
        label="Features of this product"
        queryKey={['features', productId]}
        fetchPage={fetchFeaturesOf(productId)}
        empty="No feature yet."
        columns={[
          { header: 'Name', cell: (feature) => feature.name },
          { header: 'Code', cell: (feature) => <code>{feature.code}</code> },
          { header: 'Kind', cell: (feature) => feature.kind },
          {
            header: 'Limit',
            cell: (feature) =>
              feature.kind === 'floating'
                ? `${feature.seats ?? '—'} seats`
                : feature.kind === 'consumption'
                  ? `${feature.maxConsumption ?? '—'} per period`
                  : '—',
          },
        ]}
      />
    </>
  );
};
