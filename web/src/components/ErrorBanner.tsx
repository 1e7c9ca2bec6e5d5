// Every failure the way the API states it: code, message and request id (what support asks for), with Retry
// when the code is retryable.
import { ApiError } from '../api/client';

export const ErrorBanner = ({ error, onRetry }: { error: unknown; onRetry?: () => void }) => {
  if (!error) return null;
  const envelope = error instanceof ApiError ? error.envelope : undefined;
  return (
    <div role="alert" className="error-banner">
      <p>
        <strong>{envelope?.code ?? 'ERROR'}</strong> {envelope?.message ?? (error as Error).message}
      </p>
      {envelope?.requestId ? (
        <p className="muted">
          Request id <code>{envelope.requestId}</code>
        </p>
      ) : null}
      {envelope?.retryable && onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
};
