// Issue a license: a policy of a product (its code or id), an optional customer (id or email), and the API's
// field errors shown beside the field they concern.
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field, TextField } from '../../components/Field';
import { useCreateLicense, usePolicyChoices, useProductChoices } from '../../hooks/resources';

export const IssueLicense = () => {
  const navigate = useNavigate();
  const products = useProductChoices();
  const [productId, setProductId] = useState('');
  const policies = usePolicyChoices(productId || undefined);
  const [policyId, setPolicyId] = useState('');
  const [customerId, setCustomerId] = useState('');
  const create = useCreateLicense();
  const fields = create.error instanceof ApiError ? create.error.fieldErrors() : {};
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
        <Field label="Product" error={fields.productId}>
          {(props) => (
            <select {...props} value={productId} onChange={(event) => setProductId(event.target.value)}>
              <option value="">Choose a product</option>
              {products.data?.data.map((product) => (
                <option key={product.id} value={product.id}>
                  {product.name} ({product.code})
                </option>
              ))}
            </select>
          )}
        </Field>
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
        <ErrorBanner error={Object.keys(fields).length ? null : create.error} />
        <button type="submit" disabled={create.isPending || !policyId}>
          Issue license
        </button>
      </form>
    </details>
  );
};
