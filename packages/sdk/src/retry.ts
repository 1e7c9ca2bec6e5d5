// The retry schedule both clients share: exponential backoff with full jitter, and Retry-After as the least wait.

/** A Retry-After header (seconds or an HTTP date) in milliseconds from now. */
export const retryAfterMs = (header: string | null): number | undefined => {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
};

/** The wait before attempt `attempt + 1`: a random wait up to the doubling ceiling, at least Retry-After. */
export const backoffMs = (
  attempt: number,
  limits: { baseDelayMs: number; maxDelayMs: number },
  random: () => number,
  retryAfter: number | undefined,
): number => {
  const ceiling = Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (attempt - 1));
  return Math.min(limits.maxDelayMs, Math.max(random() * ceiling, retryAfter ?? 0));
};
