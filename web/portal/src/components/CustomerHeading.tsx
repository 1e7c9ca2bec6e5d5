// The heading of a manager's page: what it shows and for which customer (its name from the session; the id
// when the session does not name it, and the API's CUSTOMER_NOT_FOUND below says why).
import { usePortalSession } from '../hooks/session';

export const CustomerHeading = ({ title, customerId }: { title: string; customerId: string }) => {
  const { managed } = usePortalSession();
  return (
    <h1>
      {title} — {managed(customerId)?.name ?? customerId}
    </h1>
  );
};
