// The portal user's session: read at start (GET /v1/portal/session), set by sign-in, ended by sign-out or by the
// server (an expired session returns to sign-in with a message). `managedCustomers` are the customers this user
// is a license manager of: the manager's pages are offered for those only (the API checks again on every call).
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onSignedOut, type Schemas, setCsrfToken, unwrap } from '../../../src/api/client';

export type PortalSession = Schemas['PortalSession'];
export type Customer = Schemas['Customer'];

interface SessionState {
  session: PortalSession | null;
  /** Why the last session ended (or what to do next), shown on the sign-in page. */
  notice: string | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Shows a message on the sign-in page (a password just set by an invitation). */
  setNotice(notice: string | null): void;
  /** The managed customer of this id, when the session names it. */
  managed(customerId: string): Customer | undefined;
}

const SessionContext = createContext<SessionState | null>(null);

export const PortalSessionProvider = ({ children }: { children: ReactNode }) => {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<PortalSession | null>(null);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);

  const adopt = useCallback((next: PortalSession | null) => {
    setCsrfToken(next?.csrfToken);
    setSession(next);
  }, []);

  useEffect(() => {
    let live = true;
    unwrap(api.GET('/v1/portal/session'))
      .then((current) => live && adopt(current))
      .catch(() => live && adopt(null))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [adopt]);

  useEffect(
    () =>
      onSignedOut((envelope) => {
        adopt(null);
        queryClient.clear();
        setNotice(
          envelope.code === 'SESSION_EXPIRED'
            ? 'Your session expired. Sign in again to go on.'
            : `You were signed out (${envelope.code}). Sign in again to go on.`,
        );
      }),
    [adopt, queryClient],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      const next = await unwrap(api.POST('/v1/portal/login', { body: { email, password } }));
      setNotice(null);
      queryClient.clear();
      adopt(next);
    },
    [adopt, queryClient],
  );

  const signOut = useCallback(async () => {
    await unwrap(api.POST('/v1/portal/logout')).catch(() => undefined);
    adopt(null);
    queryClient.clear();
    setNotice('You signed out.');
  }, [adopt, queryClient]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      loading,
      notice,
      signIn,
      signOut,
      setNotice,
      managed: (customerId) => session?.managedCustomers.find((customer) => customer.id === customerId),
    }),
    [session, loading, notice, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};

export const usePortalSession = (): SessionState => {
  const state = useContext(SessionContext);
  if (!state) throw new Error('usePortalSession outside PortalSessionProvider');
  return state;
};
