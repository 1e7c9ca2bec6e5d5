// `user host display` as FlexLM prints it: space-separated, unquoted, while user names and displays may contain
// spaces. The split is a documented best guess (after CharlesWB/LicenseStatus, research notes §5.4); the raw text
// is kept beside it, and history is never keyed on the guess alone.

export interface Identity {
  user: string;
  host: string;
  display: string;
}

// A 4th token like `feature=name` or a package component `MSCONE:ADAMS_View` is an extra field, not a name.
const isComponent = (token: string) => /^feature=/.test(token) || /^[A-Z0-9_]+:[A-Za-z0-9_]+$/.test(token);

export const splitIdentity = (raw: string, clientVersion?: string): Identity => {
  let tokens = raw.trim().split(/ +/);
  // Queued lines repeat the requested version as a last token.
  if (clientVersion && tokens.length > 2 && tokens.at(-1) === clientVersion.replace(/^v/, ''))
    tokens = tokens.slice(0, -1);
  if (tokens.length >= 4 && isComponent(tokens[3] ?? ''))
    tokens = [...tokens.slice(0, 3), ...tokens.slice(4)];
  if (tokens.length === 1) return { user: tokens[0] ?? '', host: '', display: '' };
  if (tokens.length === 2) return { user: tokens[0] ?? '', host: tokens[1] ?? '', display: '' };
  if (tokens.length === 3) return { user: tokens[0] ?? '', host: tokens[1] ?? '', display: tokens[2] ?? '' };
  // Windows prints the host again as the display: two equal adjacent tokens are host and display.
  for (let index = tokens.length - 2; index >= 1; index--) {
    if (tokens[index]?.toLowerCase() === tokens[index + 1]?.toLowerCase()) {
      return {
        user: tokens.slice(0, index).join(' '),
        host: tokens[index] ?? '',
        display: tokens.slice(index + 1).join(' '),
      };
    }
  }
  // A display such as `:0.0` or `/dev/pts/1` is one token: the two before the end are host and display.
  return {
    user: tokens.slice(0, -2).join(' '),
    host: tokens.at(-2) ?? '',
    display: tokens.at(-1) ?? '',
  };
};
