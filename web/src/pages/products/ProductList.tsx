// Products: the list and, for those who may write, a form to add one (code and name).
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/client';
import { codeRule } from '../../api/rules';
import { Badge } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TextField } from '../../components/Field';
import { formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { fetchProducts, type Product, useCreateProduct } from '../../hooks/resources';
import { useSession } from '../../hooks/session';

const AddProduct = () => {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const create = useCreateProduct();
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { code, name },
      {
        onSuccess: () => {
          setCode('');
          setName('');
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Add a product</summary>
      <form onSubmit={submit}>
        <TextField
          label="Code"
          required
          {...codeRule}
          hint="2–64 lowercase letters, digits and -"
          error={
            fields.code ??
            (create.error instanceof ApiError && create.error.code === 'ALREADY_EXISTS'
              ? create.error.message
              : undefined)
          }
          value={code}
          onChange={(event) => setCode(event.target.value)}
        />
        <TextField
          label="Name"
          required
          maxLength={200}
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <ErrorBanner
          error={
            Object.keys(fields).length ||
            (create.error instanceof ApiError && create.error.code === 'ALREADY_EXISTS')
              ? null
              : create.error
          }
        />
        <button type="submit" disabled={create.isPending}>
          Add product
        </button>
        {create.isSuccess ? <p role="status">Product {create.data.code} added.</p> : null}
      </form>
    </details>
  );
};

export const ProductList = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>Products</h1>
      {can('products:write') ? <AddProduct /> : null}
      <PagedList<Product>
        label="Products"
        queryKey={['products', 'list']}
        fetchPage={fetchProducts}
        columns={[
          { header: 'Name', cell: (product) => <Link to={`/products/${product.id}`}>{product.name}</Link> },
          { header: 'Code', cell: (product) => <code>{product.code}</code> },
          { header: 'Model', cell: (product) => product.licenseModel },
          { header: 'Status', cell: (product) => <Badge value={product.status} /> },
        ]}
      />
    </section>
  );
};
