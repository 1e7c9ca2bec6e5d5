// When a failed outbound delivery (a webhook, a notification mail) is tried again (api.md: exponential backoff
// with jitter for 24 h, 8 attempts). The seven waits grow threefold from 79 s (79 s, 4 min, 12 min, 36 min, 1.8 h,
// 5.3 h, 16 h) and sum to 24 h; each is drawn within ±20 % so targets that failed together are not retried
// together.

export const maxDeliveryAttempts = 8;

const totalMs = 24 * 3600 * 1000;
const growth = 3;
// base × (3^7 − 1) / (3 − 1) = 24 h
const baseMs = (totalMs * (growth - 1)) / (growth ** (maxDeliveryAttempts - 1) - 1);

/** The wait after the `attemptsMade`-th failed attempt; `draw` is uniform in [0, 1). */
export const retryDelayMs = (attemptsMade: number, draw: number): number => {
  const nominal = baseMs * growth ** Math.max(0, attemptsMade - 1);
  return Math.round(nominal * (0.8 + 0.4 * draw));
};
