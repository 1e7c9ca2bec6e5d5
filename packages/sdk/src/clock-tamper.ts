// Clock-tamper detection for offline checks: the application keeps the latest time it has seen (`lastSeenAt`);
// a clock behind it by more than a tolerance for ordinary corrections (an NTP step) was set back.

/** How far (seconds) the clock may fall behind `lastSeenAt` before a check fails with CLOCK_TAMPERED. */
export const defaultClockToleranceSeconds = 300;

export type ClockCheck = { ok: true; lastSeenAtMs: number } | { ok: false; message: string };

/** The new last time seen (never earlier than the old one), or why the clock is not to be trusted. */
export const checkClock = (
  nowMs: number,
  lastSeenAt: Date | string | undefined,
  toleranceSeconds: number,
): ClockCheck => {
  if (lastSeenAt === undefined) return { ok: true, lastSeenAtMs: nowMs };
  const lastSeenMs = typeof lastSeenAt === 'string' ? Date.parse(lastSeenAt) : lastSeenAt.getTime();
  // An unreadable record counts as tampered: were it ignored, garbling it would switch the check off.
  if (Number.isNaN(lastSeenMs))
    return { ok: false, message: `The last time seen (${String(lastSeenAt)}) is not a date` };
  if (nowMs < lastSeenMs - toleranceSeconds * 1000)
    return {
      ok: false,
      message: `This machine's clock (${new Date(nowMs).toISOString()}) is behind the last time seen (${new Date(lastSeenMs).toISOString()}): it was set back`,
    };
  return { ok: true, lastSeenAtMs: Math.max(nowMs, lastSeenMs) };
};
