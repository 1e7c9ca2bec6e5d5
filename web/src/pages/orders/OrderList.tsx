// Orders, newest first: filtered by customer (id or email) or by the shop's order number, each with how many
// licenses it issued; an operator holding orders:write records one by hand.
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { when } from '../../components/Badge';
import { TextField } from '../../components/Field';
import { PagedList } from '../../components/PagedList';
import { fetchOrders, type OrderSummary } from '../../hooks/catalog';
import { useSession } from '../../hooks/session';
import { CreateOrder } from './CreateOrder';

export const OrderList = () => {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const filters = {
    customerId: params.get('customer') ?? '',
    externalId: params.get('order') ?? '',
  };
  const [customer, setCustomer] = useState(filters.customerId);
  const [order, setOrder] = useState(filters.externalId);
  const search = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (customer.trim()) next.set('customer', customer.trim());
    if (order.trim()) next.set('order', order.trim());
    setParams(next);
  };
  return (
    <section>
      <h1>Orders</h1>
      {can('orders:write') ? <CreateOrder /> : null}
      <form className="filters" onSubmit={search} aria-label="Find orders">
        <TextField
          label="Customer (id or email)"
          value={customer}
          onChange={(event) => setCustomer(event.target.value)}
        />
        <TextField label="Order number" value={order} onChange={(event) => setOrder(event.target.value)} />
        <button type="submit">Search</button>
      </form>
      <PagedList<OrderSummary>
        label="Orders"
        queryKey={['orders', 'list', filters]}
        fetchPage={fetchOrders(filters)}
        empty="No order matches."
        columns={[
          {
            header: 'Order number',
            cell: (row) => <Link to={`/orders/${row.id}`}>{row.externalId}</Link>,
          },
          {
            header: 'Customer',
            cell: (row) => <Link to={`/licenses?customerId=${row.customerId}`}>{row.customerId}</Link>,
          },
          {
            header: 'Items',
            cell: (row) =>
              row.items.map((item) => `${item.quantity} × ${item.productCode}/${item.policyCode}`).join(', '),
          },
          { header: 'Licenses', cell: (row) => row.licensesCount },
          { header: 'Placed', cell: (row) => when(row.createdAt) },
        ]}
      />
    </section>
  );
};
