// The app's routes: sign-in until a session exists, then the pages inside the layout.
import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { useSession } from './hooks/session';
import { CustomerList } from './pages/customers/CustomerList';
import { LicenseDetail } from './pages/licenses/LicenseDetail';
import { LicenseList } from './pages/licenses/LicenseList';
import { MachineList } from './pages/machines/MachineList';
import { NotFound } from './pages/NotFound';
import { Overview } from './pages/overview/Overview';
import { PolicyList } from './pages/policies/PolicyList';
import { ProductDetail } from './pages/products/ProductDetail';
import { ProductList } from './pages/products/ProductList';
import { SignIn } from './pages/SignIn';

export const App = () => {
  const { session, loading } = useSession();
  if (loading) return <p className="muted">Loading…</p>;
  if (!session) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Overview />} />
        <Route path="licenses" element={<LicenseList />} />
        <Route path="licenses/:id" element={<LicenseDetail />} />
        <Route path="products" element={<ProductList />} />
        <Route path="products/:id" element={<ProductDetail />} />
        <Route path="policies" element={<PolicyList />} />
        <Route path="customers" element={<CustomerList />} />
        <Route path="machines" element={<MachineList />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
};
