// Utility output as text: decoded by its byte-order mark (a Windows `>` redirect writes UTF-16LE with one), UTF-8
// otherwise with a Latin-1 fallback (user and host names come in the server's code page), and split into lines
// with CRLF and CR made LF.

export const decodeUtilityOutput = (bytes: Buffer): string => {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  const text = bytes.toString('utf8');
  return text.includes('\uFFFD') ? bytes.toString('latin1') : text;
};

export const outputLines = (text: string): string[] =>
  text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');

export type LineRules<Kind extends string> = readonly (readonly [Kind, RegExp])[];

/** The first rule (in order) a line matches, with its named groups. */
export const classifyLine = <Kind extends string>(
  line: string,
  rules: LineRules<Kind>,
): { kind: Kind; groups: Record<string, string | undefined> } | undefined => {
  for (const [kind, pattern] of rules) {
    const match = pattern.exec(line);
    if (match) return { kind, groups: match.groups ?? {} };
  }
  return undefined;
};
