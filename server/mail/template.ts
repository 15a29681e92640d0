// Every mail's two parts from one description: plain text and HTML saying the same thing. The HTML
// is a plain table layout with inline styles (what Outlook's Word engine renders), no remote
// images or fonts, and every interpolated value escaped: names and team names are user input.
import type { MailMessage } from '../core/mailer.js';

/** A paragraph; a bulleted list; a link shown as a button with its address below; small print. */
export type MailBlock = string | { list: string[] } | { link: string; label: string } | { note: string };

export interface MailContent {
  to: string;
  subject: string;
  /** "Hello Ann," */
  greeting: string;
  blocks: MailBlock[];
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(v: string): string {
  return v.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Only web addresses become links: anything else (javascript:, data:) is shown as text. */
function isWebUrl(v: string): boolean {
  return URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const P = `margin:0 0 16px 0;${FONT}font-size:15px;line-height:22px;color:#1f2328;`;
const SMALL = `margin:0 0 16px 0;${FONT}font-size:13px;line-height:19px;color:#57606a;`;

function textOf(b: MailBlock): string {
  if (typeof b === 'string') return b;
  if ('list' in b) return b.list.map((l) => `  - ${l}`).join('\n');
  if ('link' in b) return `${b.label}\n${b.link}`;
  return b.note;
}

function htmlOf(b: MailBlock): string {
  if (typeof b === 'string') return `<p style="${P}">${escapeHtml(b).replace(/\n/g, '<br>')}</p>`;
  if ('list' in b) return `<ul style="margin:0 0 16px 0;padding-left:24px;">${b.list.map((l) => `<li style="${P}margin-bottom:4px;">${escapeHtml(l)}</li>`).join('')}</ul>`;
  if ('note' in b) return `<p style="${SMALL}">${escapeHtml(b.note)}</p>`;
  const url = escapeHtml(b.link);
  if (!isWebUrl(b.link)) return `<p style="${P}">${escapeHtml(b.label)}</p><p style="${SMALL}">${url}</p>`;
  // A "bulletproof" button: a coloured table cell around the link, so Outlook draws it too.
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px 0;"><tr>` +
    `<td bgcolor="#0b5cad" style="background:#0b5cad;border-radius:4px;padding:10px 18px;">` +
    `<a href="${url}" style="${FONT}font-size:15px;font-weight:bold;color:#ffffff;text-decoration:none;">${escapeHtml(b.label)}</a>` +
    `</td></tr></table>` +
    `<p style="${SMALL}word-break:break-all;"><a href="${url}" style="color:#0b5cad;">${url}</a></p>`
  );
}

/** The text and HTML parts of `c`; the HTML shows exactly the words of the text, in the same order. */
export function renderMail(c: MailContent): MailMessage {
  const text = [c.greeting, ...c.blocks.map(textOf)].join('\n\n');
  const body = [`<p style="${P}">${escapeHtml(c.greeting)}</p>`, ...c.blocks.map(htmlOf)].join('\n');
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(c.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background:#f3f4f6;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:600px;max-width:100%;background:#ffffff;border:1px solid #d0d7de;"><tr><td style="padding:24px 28px 8px 28px;">
${body}
</td></tr></table>
</td></tr></table>
</body>
</html>
`;
  return { to: c.to, subject: c.subject, text, html };
}

/**
 * A mail written as text only (by code that predates the template) still goes out with both
 * parts: paragraphs are the text's blank-line separated blocks, escaped.
 */
export function htmlFromText(subject: string, text: string): string {
  const [greeting = '', ...rest] = text.split(/\n\s*\n/);
  return renderMail({ to: '', subject, greeting: greeting.trim(), blocks: rest.map((p) => p.trim()).filter(Boolean) }).html!;
}
