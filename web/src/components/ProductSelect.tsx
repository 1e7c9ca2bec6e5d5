// A labelled choice of product (the first 100; a vendor with more names one by code where a form allows it).
import { useProductChoices } from '../hooks/resources';
import { Field } from './Field';

export const ProductSelect = ({
  value,
  onChange,
  none,
  required = false,
  error,
}: {
  value: string;
  onChange: (productId: string) => void;
  /** The label of the empty choice ("Every product", "Choose a product"). */
  none: string;
  required?: boolean;
  error?: string | undefined;
}) => {
  const products = useProductChoices();
  return (
    <Field label="Product" error={error}>
      {(props) => (
        <select
          {...props}
          required={required}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        >
          <option value="">{none}</option>
          {products.data?.data.map((product) => (
            <option key={product.id} value={product.id}>
              {product.name} ({product.code})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
};
