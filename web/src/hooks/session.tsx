// The operator's session: read at start (GET /v1/auth/session), set by sign-in, ended by sign-out or by the
// server (an expired session sends the app back to sign-in with a message). `can(scope)` is what the operator's
// role may do, as the server answered it: the app offers no control the API would refuse.
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onSignedOut, type Schemas, type Scope, setCsrfToken, unwrap } from '../api/client';

type OperatorSession = Schemas['OperatorSession'];

interface SessionState {
  session: OperatorSession | null;
  /** Why the last session ended, shown on the sign-in page. */
  endedBecause: string | null;
  loading: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  can(scope: Scope): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export const SessionProvider = ({ children }: { children: ReactNode }) => {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<OperatorSession | null>(null);
  const [loading, setLoading] = useState(true);
  const [endedBecause, setEndedBecause] = useState<string | null>(null);

  const adopt = useCallback((next: OperatorSession | null) => {
    setCsrfToken(next?.csrfToken);
    setSession(next);
  }, []);

  useEffect(() => {
    let live = true;
    unwrap(api.GET('/v1/auth/session'))
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
        setEndedBecause(
          envelope.code === 'SESSION_EXPIRED'
            ? 'Your session expired. Sign in again to go on.'
            : `You were signed out (${envelope.code}). Sign in again to go on.`,
        );
      }),
    [adopt, queryClient],
  );

  const signIn = useCallback(
    async (email: string, password: string) => {
      const next = await unwrap(api.POST('/v1/auth/login', { body: { email, password } }));
      setEndedBecause(null);
      adopt(next);
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    await unwrap(api.POST('/v1/auth/logout')).catch(() => undefined);
    adopt(null);
    queryClient.clear();
    setEndedBecause('You signed out.');
  }, [adopt, queryClient]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      loading,
      endedBecause,
      signIn,
      signOut,
      can: (scope) => !!session && (session.scopes.includes('admin') || session.scopes.includes(scope)),
    }),
    [session, loading, endedBecause, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};

export const useSession = (): SessionState => {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
};
