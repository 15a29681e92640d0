// Reading the two parts of a received mail as a person would: the words the HTML shows (tags
// dropped, entities decoded), to compare with the plain-text part.
export function visibleWords(html: string): string[] {
  const body = html.replace(/^[\s\S]*<body[^>]*>/, '').replace(/<\/body>[\s\S]*$/, '');
  return body
    .replace(/<br>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split(/\s+/)
    .filter(Boolean);
}

/** The words of the text part, list bullets aside. */
export function textWords(text: string): string[] {
  return text.replace(/^ {2}- /gm, '').split(/\s+/).filter(Boolean);
}

/** The addresses the HTML links to. */
export function htmlLinks(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}
