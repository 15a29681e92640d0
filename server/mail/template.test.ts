// The mail template: both parts say the same words, and nothing interpolated can become markup.
import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlFromText, renderMail } from './template.js';

/** The words a reader sees in the HTML body (tags dropped, entities decoded). */
function visibleWords(html: string): string[] {
  const body = html.replace(/^[\s\S]*<body[^>]*>/, '').replace(/<\/body>[\s\S]*$/, '');
  const text = body
    .replace(/<br>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return text.split(/\s+/).filter(Boolean);
}

const textWords = (text: string) => text.replace(/^ {2}- /gm, '').split(/\s+/).filter(Boolean);

describe('renderMail', () => {
  const mail = renderMail({
    to: 'ann@acme.test',
    subject: 'Hi <b>',
    greeting: 'Hello <script>alert(1)</script>,',
    blocks: ['A & B "quoted" \'single\'', { list: ['one <i>', 'two'] }, { label: 'Open <it>', link: 'https://seats.acme.test/x?a=1&b="2"' }, { note: 'small <print>' }],
  });

  it('shows the same words in the HTML part as in the text part, in the same order', () => {
    expect(visibleWords(mail.html!)).toEqual(textWords(mail.text));
  });

  it('escapes every interpolated value: no tag or attribute from the content survives', () => {
    expect(mail.html).not.toMatch(/<script|<b>|<i>|<it>|<print>/);
    expect(mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(mail.html).toContain('href="https://seats.acme.test/x?a=1&amp;b=&quot;2&quot;"');
    expect(mail.html).toContain('<title>Hi &lt;b&gt;</title>');
  });

  it('loads nothing remote: no image, stylesheet or script', () => {
    expect(mail.html).not.toMatch(/<img|<link|<script|url\(|@import/i);
  });

  it('makes a link only of a web address', () => {
    const bad = renderMail({ to: 'a@b.test', subject: 's', greeting: 'Hello,', blocks: [{ label: 'Click', link: 'javascript:alert(1)' }] });
    expect(bad.html).not.toContain('href=');
    expect(bad.html).toContain('javascript:alert(1)');
  });

  it('keeps the text part plain, with the link on a line of its own', () => {
    expect(mail.text).toContain('\nhttps://seats.acme.test/x?a=1&b="2"');
    expect(mail.text).toContain('  - one <i>\n  - two');
  });
});

describe('htmlFromText', () => {
  it('turns a text-only mail into escaped paragraphs with the same words', () => {
    const text = 'Hello <x>,\n\nline one\nline two & more\n\nbye';
    const html = htmlFromText('s', text);
    expect(visibleWords(html)).toEqual(textWords(text));
    expect(html).toContain('line one<br>line two &amp; more');
  });

  it('escapes the five characters HTML gives meaning to', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
