// The app's routes: sign-in until a session exists, then the pages inside the layout.
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { useSession } from './hooks/session';
import { Approvals } from './pages/approvals/Approvals';
import { AuditLog } from './pages/audit/AuditLog';
import { Blocklist } from './pages/blocklist/Blocklist';
import { CustomerList } from './pages/customers/CustomerList';
import { IncidentDetail } from './pages/incidents/IncidentDetail';
import { IncidentList } from './pages/incidents/IncidentList';
import { ApiKeys } from './pages/keys/ApiKeys';
import { LicenseDetail } from './pages/licenses/LicenseDetail';
import { LicenseList } from './pages/licenses/LicenseList';
import { MachineList } from './pages/machines/MachineList';
import { NotFound } from './pages/NotFound';
import { OAuthClients } from './pages/oauth-clients/OAuthClients';
import { OperatorList } from './pages/operators/OperatorList';
import { OrderDetail } from './pages/orders/OrderDetail';
import { OrderList } from './pages/orders/OrderList';
import { Overview } from './pages/overview/Overview';
import { PolicyList } from './pages/policies/PolicyList';
import { ProductDetail } from './pages/products/ProductDetail';
import { ProductList } from './pages/products/ProductList';
import { ReleaseList } from './pages/releases/ReleaseList';
import { SignIn } from './pages/SignIn';
import { Seats } from './pages/seats/Seats';
import { SigningKeys } from './pages/signing-keys/SigningKeys';
import { LicenseUsers } from './pages/users/LicenseUsers';
import { WebhookDetail } from './pages/webhooks/WebhookDetail';
import { WebhookList } from './pages/webhooks/WebhookList';

// The monitor's pages carry the charting library: loaded when first opened, not with the first page.
const ServerList = lazy(async () => ({ default: (await import('./pages/monitor/ServerList')).ServerList }));
const Usage = lazy(async () => ({ default: (await import('./pages/usage/Usage')).Usage }));
const ServerDetail = lazy(async () => ({
  default: (await import('./pages/monitor/ServerDetail')).ServerDetail,
}));

export const App = () => {
  const { session, loading } = useSession();
  if (loading) return <p className="muted">Loading…</p>;
  if (!session) return <SignIn />;
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Overview />} />
          <Route path="licenses" element={<LicenseList />} />
          <Route path="licenses/:id" element={<LicenseDetail />} />
          <Route path="products" element={<ProductList />} />
          <Route path="products/:id" element={<ProductDetail />} />
          <Route path="policies" element={<PolicyList />} />
          <Route path="customers" element={<CustomerList />} />
          <Route path="license-users" element={<LicenseUsers />} />
          <Route path="machines" element={<MachineList />} />
          <Route path="blocklist" element={<Blocklist />} />
          <Route path="seats" element={<Seats />} />
          <Route path="orders" element={<OrderList />} />
          <Route path="orders/:id" element={<OrderDetail />} />
          <Route path="releases" element={<ReleaseList />} />
          <Route path="incidents" element={<IncidentList />} />
          <Route path="incidents/:id" element={<IncidentDetail />} />
          <Route path="approvals" element={<Approvals />} />
          <Route path="usage" element={<Usage />} />
          <Route path="api-keys" element={<ApiKeys />} />
          <Route path="webhooks" element={<WebhookList />} />
          <Route path="webhooks/:id" element={<WebhookDetail />} />
          <Route path="signing-keys" element={<SigningKeys />} />
          <Route path="oauth-clients" element={<OAuthClients />} />
          <Route path="operators" element={<OperatorList />} />
          <Route path="audit" element={<AuditLog />} />
          <Route path="monitor" element={<ServerList />} />
          <Route path="monitor/:id" element={<ServerDetail />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
};
