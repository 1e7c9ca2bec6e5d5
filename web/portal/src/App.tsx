// The portal's routes: the invitation page for anyone holding its link, sign-in until a session exists, then the
// pages inside the layout: the user's own licenses and devices, and a manager's pages per managed customer.
import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { usePortalSession } from './hooks/session';
import { AcceptInvitation } from './pages/AcceptInvitation';
import { CustomerLicenses } from './pages/customers/CustomerLicenses';
import { CustomerMachines } from './pages/customers/CustomerMachines';
import { CustomerUsage } from './pages/customers/CustomerUsage';
import { OfflineActivation } from './pages/customers/OfflineActivation';
import { Seats } from './pages/customers/Seats';
import { MyDevices } from './pages/MyDevices';
import { MyLicenses } from './pages/MyLicenses';
import { NotFound } from './pages/NotFound';
import { SignIn } from './pages/SignIn';

const SignedIn = () => {
  const { session, loading } = usePortalSession();
  if (loading) return <p className="muted">Loading…</p>;
  if (!session) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<MyLicenses />} />
        <Route path="devices" element={<MyDevices />} />
        <Route path="customers/:customerId" element={<CustomerLicenses />} />
        <Route path="customers/:customerId/licenses/:licenseId" element={<Seats />} />
        <Route path="customers/:customerId/machines" element={<CustomerMachines />} />
        <Route path="customers/:customerId/usage" element={<CustomerUsage />} />
        <Route path="customers/:customerId/offline" element={<OfflineActivation />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
};

export const App = () => (
  <Routes>
    <Route path="invitation/:token" element={<AcceptInvitation />} />
    <Route path="*" element={<SignedIn />} />
  </Routes>
);
