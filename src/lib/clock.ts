// Time: every module asks a Clock, so tests can hand in a fixed one and advance it.

export interface Clock {
  now(): Date;
  nowMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
};

export interface FixedClock extends Clock {
  set(at: Date | string | number): void;
  advance(ms: number): void;
}

export const fixedClock = (start: Date | string | number = '2026-11-22T10:30:45.123Z'): FixedClock => {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    nowMs: () => current,
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
};

/** An epoch-ms time as the API writes it (ISO 8601, UTC), or null for none. */
export const isoOrNull = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString();
