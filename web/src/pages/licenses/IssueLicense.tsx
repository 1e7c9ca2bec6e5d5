// Issue a license: a policy of a product (its code or id), an optional customer (id or email), and the API's
// field errors shown beside the field they concern.
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { Field, TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { ProductSelect } from '../../components/ProductSelect';
import { useCreateLicense, usePolicyChoices } from '../../hooks/resources';

export const IssueLicense = () => {
  const navigate = useNavigate();
  const [productId, setProductId] = useState('');
  const policies = usePolicyChoices(productId || undefined);
  const [policyId, setPolicyId] = useState('');
  const [customerId, setCustomerId] = useState('');
  const create = useCreateLicense();
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        policyId,
        ...(productId ? { productId } : {}),
        ...(customerId.trim() ? { customerId: customerId.trim() } : {}),
      },
      { onSuccess: (license) => navigate(`/licenses/${license.id}`) },
    );
  };
  return (
    <details className="panel">
      <summary>Issue a license</summary>
      <form onSubmit={submit}>
        <ProductSelect
          none="Choose a product"
          value={productId}
          onChange={setProductId}
          error={fields.productId}
        />
        <Field label="Policy" error={fields.policyId}>
          {(props) => (
            <select
              {...props}
              required
              value={policyId}
              onChange={(event) => setPolicyId(event.target.value)}
            >
              <option value="">Choose a policy</option>
              {policies.data?.data.map((policy) => (
                <option key={policy.id} value={policy.id}>
                  {policy.name} ({policy.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          label="Customer (id or email, optional)"
          error={fields.customerId}
          value={customerId}
          onChange={(event) => setCustomerId(event.target.value)}
        />
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending || !policyId}>
          Issue license
        </button>
      </form>
    </details>
  );
};
