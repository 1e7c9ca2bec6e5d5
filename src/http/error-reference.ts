// The served error reference, generated from the catalog: JSON at GET /v1/errors, HTML at GET /docs/errors.
import { catalog, type ErrorCode, errorCodes } from '../errors/catalog.js';

export interface ErrorReferenceEntry {
  code: ErrorCode;
  status: number;
  title: string;
  description: string;
  resolution: string;
  retryable: boolean;
  group: string;
}

export const errorReference = (): ErrorReferenceEntry[] =>
  errorCodes.map((code) => {
    const { status, title, description, resolution, retryable, group } = catalog[code];
    return { code, status, title, description, resolution, retryable, group };
  });

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

/** Escapes, then renders `code spans` the way the catalog's prose writes them. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

export const renderErrorReferenceHtml = (): string => {
  const entries = errorReference();
  const groups = [...new Set(entries.map((entry) => entry.group))];
  const sections = groups
    .map((group) => {
      const rows = entries
        .filter((entry) => entry.group === group)
        .map(
          (entry) => `<tr id="${entry.code}">
<td><a href="#${entry.code}"><code>${entry.code}</code></a></td>
<td>${entry.status}</td>
<td>${entry.retryable ? 'yes' : 'no'}</td>
<td><strong>${escapeHtml(entry.title)}</strong><br>${prose(entry.description)}</td>
<td>${prose(entry.resolution)}</td>
</tr>`,
        )
        .join('\n');
      return `<h2>${escapeHtml(group)}</h2>
<table><thead><tr><th>code</th><th>status</th><th>retryable</th><th>when</th><th>what to do</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Charter error reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
table{border-collapse:collapse;width:100%;margin-bottom:2rem}th,td{border-bottom:1px solid #dde3ea;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f6f9}tr:target{background:#fff7d6}code{font-size:.9em}a{color:#0b5cad}
</style></head><body>
<h1>Charter error reference</h1>
<p>Every error answers with this envelope: <code>code</code>, <code>message</code>, <code>status</code>, optional <code>details</code>, <code>retryable</code>, <code>requestId</code> (equal to the <code>X-Request-ID</code> header), <code>timestamp</code> and <code>docs</code>. Clients branch on <code>code</code>. The same list as JSON: <a href="/v1/errors">/v1/errors</a>; the API: <a href="/docs">/docs</a>.</p>
${sections}
</body></html>
`;
};
