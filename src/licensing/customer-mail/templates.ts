// The customer mail templates, one per kind: each renders a subject, a plain-text part and an HTML part from its
// data. Every value is escaped in the HTML; subjects are one line (no header can be smuggled in through a name).
import type { CustomerMailKind } from '../../config.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface IssuedLicense {
  key: string;
  productName: string;
  policyName: string;
  expiresAt: number | null;
}

/** What each kind's template is given. */
export interface TemplateData {
  license_issued: { customerName: string; externalId: string; licenses: IssuedLicense[] };
  trial_started: { productName: string; key: string; expiresAt: number | null };
  license_expiring: { customerName: string; productName: string; keyPrefix: string; expiresAt: number };
  consumption_limit: {
    customerName: string;
    productName: string;
    keyPrefix: string;
    feature: string | null;
    used: number;
    max: number;
    resetsAt: number | null;
  };
  user_invited: {
    inviteUrl: string;
    expiresAt: number;
    productName?: string | undefined;
    customerName?: string | undefined;
  };
}

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** One line, at most 200 characters: line breaks and other control characters become spaces. */
const oneLine = (text: string) =>
  text
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, 200);

/** A time as a person reads it in mail: 2026-11-29 10:30 UTC. */
const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const validity = (expiresAt: number | null) =>
  expiresAt === null ? 'no end date' : `valid until ${when(expiresAt)}`;

/** A block of the HTML part: a paragraph of text, a list of items (HTML, their values escaped), or a link. */
type Block = string | { items: string[] } | { url: string; label: string };

const html = (blocks: Block[]) =>
  [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    ...blocks.map((block) =>
      typeof block === 'string'
        ? `<p>${escapeHtml(block)}</p>`
        : 'items' in block
          ? `<ul>\n${block.items.map((item) => `<li>${item}</li>`).join('\n')}\n</ul>`
          : `<p><a href="${escapeHtml(block.url)}">${escapeHtml(block.label)}</a></p>`,
    ),
    '</body></html>',
  ].join('\n');

const greeting = (name: string | undefined) => (name ? `Hello ${oneLine(name)},` : 'Hello,');

const templates: { [Kind in CustomerMailKind]: (data: TemplateData[Kind]) => RenderedMail } = {
  license_issued: (data) => {
    const products = [...new Set(data.licenses.map((license) => license.productName))];
    const plural = data.licenses.length === 1 ? 'license' : 'licenses';
    const intro = `Thank you for your order ${data.externalId}. Your ${plural}:`;
    const outro = 'Keep your license keys safe: whoever holds a key can activate it.';
    return {
      subject: oneLine(`Your ${plural} for ${products.join(', ')}`),
      text: [
        greeting(data.customerName),
        '',
        intro,
        '',
        ...data.licenses.map(
          (license) =>
            `  ${license.productName} (${license.policyName}), ${validity(license.expiresAt)}:\n    ${license.key}`,
        ),
        '',
        outro,
      ].join('\n'),
      html: html([
        greeting(data.customerName),
        intro,
        {
          items: data.licenses.map(
            (license) =>
              `${escapeHtml(`${license.productName} (${license.policyName}), ${validity(license.expiresAt)}`)}:` +
              `<br><code>${escapeHtml(license.key)}</code>`,
          ),
        },
        outro,
      ]),
    };
  },

  trial_started: (data) => {
    const lines = [
      greeting(undefined),
      `Your trial of ${data.productName} has started, ${validity(data.expiresAt)}.`,
      `Your trial license key: ${data.key}`,
    ];
    return {
      subject: oneLine(`Your ${data.productName} trial has started`),
      text: lines.join('\n\n'),
      html: html(lines),
    };
  },

  license_expiring: (data) => {
    const lines = [
      greeting(data.customerName),
      `Your ${data.productName} license (${data.keyPrefix}…) expires on ${when(data.expiresAt)}.`,
      'Renew it before then to keep using the software without interruption.',
    ];
    return {
      subject: oneLine(`Your ${data.productName} license expires on ${when(data.expiresAt).slice(0, 10)}`),
      text: lines.join('\n\n'),
      html: html(lines),
    };
  },

  consumption_limit: (data) => {
    const meter = data.feature === null ? 'usage' : `usage of ${data.feature}`;
    const lines = [
      greeting(data.customerName),
      `Your ${data.productName} license (${data.keyPrefix}…) has reached its ${meter} limit: ${data.used} of ${data.max}.`,
      data.resetsAt === null
        ? 'Further use is refused unless the license allows overage; contact us to raise the limit.'
        : `The limit resets on ${when(data.resetsAt)}; until then, further use is refused unless the license allows overage.`,
    ];
    return {
      subject: oneLine(`${data.productName}: ${meter} limit reached`),
      text: lines.join('\n\n'),
      html: html(lines),
    };
  },

  user_invited: (data) => {
    const to = data.productName ? ` to ${data.productName}` : '';
    const by = data.customerName ? `${data.customerName} invited you${to}.` : `You are invited${to}.`;
    const action = `Set your password to accept (the link works until ${when(data.expiresAt)}):`;
    const ignore = 'Not expecting this? Ignore this mail.';
    return {
      subject: oneLine(`You are invited${to}`),
      text: [greeting(undefined), '', by, action, data.inviteUrl, '', ignore].join('\n'),
      html: html([
        greeting(undefined),
        by,
        action,
        { url: data.inviteUrl, label: 'Accept the invitation' },
        ignore,
      ]),
    };
  },
};

/** Renders a kind's mail from its data. */
export const renderCustomerMail = <Kind extends CustomerMailKind>(kind: Kind, data: TemplateData[Kind]) =>
  (templates[kind] as (data: TemplateData[Kind]) => RenderedMail)(data);
