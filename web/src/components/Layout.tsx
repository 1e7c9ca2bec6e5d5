// The frame of every signed-in page: the sections an operator moves between, who is signed in, and sign-out.
import { NavLink, Outlet } from 'react-router';
import type { Scope } from '../api/client';
import { useSession } from '../hooks/session';

const sections: { to: string; label: string; scope: Scope }[] = [
  { to: '/', label: 'Overview', scope: 'licenses:read' },
  { to: '/licenses', label: 'Licenses', scope: 'licenses:read' },
  { to: '/products', label: 'Products', scope: 'products:read' },
  { to: '/policies', label: 'Policies', scope: 'policies:read' },
  { to: '/customers', label: 'Customers', scope: 'customers:read' },
  { to: '/license-users', label: 'License users', scope: 'customers:read' },
  { to: '/machines', label: 'Machines', scope: 'machines:read' },
  { to: '/seats', label: 'Floating seats', scope: 'licenses:read' },
  { to: '/blocklist', label: 'Blocklist', scope: 'licenses:read' },
  { to: '/usage', label: 'Usage', scope: 'licenses:read' },
  { to: '/orders', label: 'Orders', scope: 'orders:read' },
  { to: '/releases', label: 'Releases', scope: 'releases:read' },
  { to: '/monitor', label: 'License servers', scope: 'monitor:read' },
  { to: '/incidents', label: 'Incidents', scope: 'incidents:read' },
  { to: '/approvals', label: 'Approvals', scope: 'actions:read' },
  { to: '/webhooks', label: 'Webhooks', scope: 'webhooks:read' },
  { to: '/api-keys', label: 'API keys', scope: 'keys:read' },
  { to: '/oauth-clients', label: 'OAuth clients', scope: 'keys:read' },
  { to: '/signing-keys', label: 'Signing keys', scope: 'keys:read' },
  { to: '/operators', label: 'Operators', scope: 'operators:read' },
  { to: '/audit', label: 'Audit log', scope: 'audit:read' },
];

export const Layout = () => {
  const { session, signOut, can } = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Charter</span>
        <span className="who">
          {session?.operator.email} <span className="muted">({session?.operator.role})</span>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Sections">
        <ul>
          {sections
            .filter((section) => can(section.scope))
            .map((section) => (
              <li key={section.to}>
                <NavLink to={section.to} end={section.to === '/'}>
                  {section.label}
                </NavLink>
              </li>
            ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
};
