// The frame of every signed-in portal page: the user's own sections, one group of sections per customer they
// manage, who is signed in, and sign-out.
import { NavLink, Outlet } from 'react-router';
import { usePortalSession } from '../hooks/session';

export const Layout = () => {
  const { session, signOut } = usePortalSession();
  return (
    <div className="shell">
      {/* The fragment holds the route (#/devices): the skip control moves focus instead of navigating to #main. */}
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <span className="brand">Charter customer portal</span>
        <span className="who">{session?.user.email}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar" aria-label="Sections">
        <ul>
          <li>
            <NavLink to="/" end>
              My licenses
            </NavLink>
          </li>
          <li>
            <NavLink to="/devices">My devices</NavLink>
          </li>
        </ul>
        {session?.managedCustomers.map((customer) => (
          <div key={customer.id} className="nav-group">
            <p className="nav-group-name" id={`nav-${customer.id}`}>
              {customer.name}
            </p>
            <ul aria-labelledby={`nav-${customer.id}`}>
              <li>
                <NavLink to={`/customers/${customer.id}`} end>
                  Licenses and seats
                </NavLink>
              </li>
              <li>
                <NavLink to={`/customers/${customer.id}/machines`}>Machines</NavLink>
              </li>
              <li>
                <NavLink to={`/customers/${customer.id}/usage`}>Usage</NavLink>
              </li>
              <li>
                <NavLink to={`/customers/${customer.id}/offline`}>Offline activation</NavLink>
              </li>
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
};
