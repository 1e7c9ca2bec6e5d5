// A status as a word with a colour that is not the only signal (the word is always there).
export const Badge = ({ value }: { value: string }) => (
  <span className={`badge badge-${value}`}>{value}</span>
);

/** A time as `YYYY-MM-DD HH:MM` (UTC); a text that is no ISO time (a license server's local time) as it came. */
export const when = (iso: string | null | undefined) => {
  if (!iso) return '—';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : new Date(time).toISOString().replace('T', ' ').slice(0, 16);
};
