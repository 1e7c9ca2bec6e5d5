// Record a sale by hand (a phone order, a reseller's): a customer found or created by email (or named by id), and
// items of a product's policy with a quantity. POST /v1/orders needs an Idempotency-Key: the form holds one until
// the order is recorded, so a double click or a retry after a lost answer replays the first order, never a second.
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { Field, TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { useCreateOrder } from '../../hooks/catalog';
import { usePolicyChoices, useProductChoices } from '../../hooks/resources';

interface Item {
  productCode: string;
  policyCode: string;
  quantity: number;
}

const newKey = () => `dashboard-${crypto.randomUUID()}`;

const ItemRow = ({
  index,
  item,
  onChange,
  onRemove,
  fields,
}: {
  index: number;
  item: Item;
  onChange: (item: Item) => void;
  onRemove: (() => void) | undefined;
  fields: Record<string, string>;
}) => {
  const products = useProductChoices();
  const productId = products.data?.data.find((product) => product.code === item.productCode)?.id;
  const policies = usePolicyChoices(productId);
  const at = (field: string) => fields[`items.${index}.${field}`];
  return (
    <fieldset className="inline-form">
      <legend>Item {index + 1}</legend>
      <Field label="Product" error={at('productCode')}>
        {(props) => (
          <select
            {...props}
            required
            value={item.productCode}
            onChange={(event) => onChange({ ...item, productCode: event.target.value, policyCode: '' })}
          >
            <option value="">Choose a product</option>
            {products.data?.data.map((product) => (
              <option key={product.id} value={product.code}>
                {product.name} ({product.code})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Policy" error={at('policyCode')}>
        {(props) => (
          <select
            {...props}
            required
            disabled={!productId}
            value={item.policyCode}
            onChange={(event) => onChange({ ...item, policyCode: event.target.value })}
          >
            <option value="">Choose a policy</option>
            {productId
              ? policies.data?.data.map((policy) => (
                  <option key={policy.id} value={policy.code}>
                    {policy.name} ({policy.code})
                  </option>
                ))
              : null}
          </select>
        )}
      </Field>
      <TextField
        label="Quantity"
        type="number"
        min={1}
        max={1000}
        required
        error={at('quantity')}
        value={item.quantity}
        onChange={(event) => onChange({ ...item, quantity: Number(event.target.value) })}
      />
      {onRemove ? (
        <button type="button" onClick={onRemove}>
          Remove item {index + 1}
        </button>
      ) : null}
    </fieldset>
  );
};

export const CreateOrder = () => {
  const navigate = useNavigate();
  const create = useCreateOrder();
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const [externalId, setExternalId] = useState('');
  const [customer, setCustomer] = useState('');
  const [items, setItems] = useState<Item[]>([{ productCode: '', policyCode: '', quantity: 1 }]);
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const named = customer.trim();
    // An email finds or creates the customer; anything else names one by id.
    const who = named.includes('@') ? { customer: { email: named } } : { customerId: named };
    create.mutate(
      { idempotencyKey, body: { externalId: externalId.trim(), ...who, items } },
      {
        onSuccess: (order) => {
          setIdempotencyKey(newKey());
          navigate(`/orders/${order.id}`);
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Record an order</summary>
      <form onSubmit={submit}>
        <TextField
          label="Order number (externalId)"
          hint="your shop's id for the sale; a second order with it is refused"
          required
          maxLength={255}
          error={fields.externalId}
          value={externalId}
          onChange={(event) => setExternalId(event.target.value)}
        />
        <TextField
          label="Customer (email, or an existing customer's id)"
          required
          error={fields.customer ?? fields['customer.email'] ?? fields.customerId}
          value={customer}
          onChange={(event) => setCustomer(event.target.value)}
        />
        {items.map((item, index) => (
          <ItemRow
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
            key={index}
            index={index}
            item={item}
            fields={fields}
            onChange={(next) => setItems(items.map((old, at) => (at === index ? next : old)))}
            onRemove={items.length > 1 ? () => setItems(items.filter((_, at) => at !== index)) : undefined}
          />
        ))}
        <button
          type="button"
          onClick={() => setItems([...items, { productCode: '', policyCode: '', quantity: 1 }])}
        >
          Add an item
        </button>
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Record order
        </button>
      </form>
    </details>
  );
};
