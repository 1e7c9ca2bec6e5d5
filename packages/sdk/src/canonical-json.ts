// Canonical JSON (Charter's api.md "Validation result"): keys sorted at every depth by UTF-16 code units, no
// whitespace, values as JSON.stringify writes them, undefined members left out. The text a signed validation
// result is signed over; the server writes the same (a test in the server's suite holds the two together).
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const object = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
};
