// The customer portal's entry: server state in TanStack Query, routes in the URL's fragment (#/devices, and the
// invitation link's #/invitation/<token>, which keeps the token out of every request line), the session around both.
// The dashboard's API client, components and styles are shared (web/src).
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HashRouter } from 'react-router';
import { ApiError } from '../../src/api/client';
import { App } from './App';
import { PortalSessionProvider } from './hooks/session';
import '../../src/styles.css';
import './portal.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal is an answer, not a glitch: retry only what the API calls retryable.
      retry: (count, error) => count < 2 && (!(error instanceof ApiError) || error.envelope.retryable),
      staleTime: 10_000,
      refetchOnWindowFocus: false,
    },
  },
});

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <HashRouter>
          <PortalSessionProvider>
            <App />
          </PortalSessionProvider>
        </HashRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
