// A status as a word with a colour that is not the only signal (the word is always there).
export const Badge = ({ value }: { value: string }) => (
  <span className={`badge badge-${value}`}>{value}</span>
);

export const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) : '—';
