// A button for a change that cannot be taken back lightly (revoke, retire, withdraw, release, remove): it asks first
// in the browser's own dialog, runs the mutation once confirmed, and shows the API's refusal beside itself.
import type { ReactNode } from 'react';
import { ErrorBanner } from './ErrorBanner';

export const ConfirmButton = <Variables,>({
  mutation,
  variables,
  question,
  danger = false,
  children,
}: {
  mutation: { mutate: (variables: Variables) => void; isPending: boolean; error: unknown };
  variables: Variables;
  /** What the dialog asks: what happens, and to whom. */
  question: string;
  danger?: boolean;
  children: ReactNode;
}) => (
  <>
    <button
      type="button"
      className={danger ? 'danger' : undefined}
      disabled={mutation.isPending}
      onClick={() => window.confirm(question) && mutation.mutate(variables)}
    >
      {children}
    </button>
    <ErrorBanner error={mutation.error} />
  </>
);
