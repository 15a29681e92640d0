// The API reference page (/api/v1/docs): the OpenAPI document rendered as one static HTML page,
// with no script and nothing loaded from elsewhere.
type Json = Record<string, any>;

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const accessLabel: Record<string, string> = { public: 'anyone', account: 'signed in', member: 'member of :orgId', admin: 'admin of :orgId' };

function schemaBlock(schema: unknown): string {
  return `<pre>${esc(JSON.stringify(schema, null, 2))}</pre>`;
}

function operation(path: string, method: string, op: Json): string {
  const params = (op.parameters ?? []) as Json[];
  const rows = params
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td></tr>`)
    .join('');
  const body = op.requestBody?.content?.['application/json']?.schema;
  const ok = Object.keys(op.responses ?? {}).find((k) => /^\d+$/.test(k));
  return `<section id="${esc(op.operationId)}">
<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)} <span class="who">${esc(accessLabel[op['x-access']] ?? '')}</span></p>
${rows ? `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
${body ? `<details><summary>request body (application/json)</summary>${schemaBlock(body)}</details>` : ''}
<p class="st">Success: ${esc(ok ?? '200')}. Errors: <code>{"error":{"code","message"}}</code>.</p>
</section>`;
}

export function renderApiPage(doc: Json): string {
  const groups = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags?.[0] as string) ?? 'api';
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag)!.push(operation(path, method, op));
    }
  }
  const tags = [...groups.keys()].sort();
  const nav = tags.map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ');
  const sections = tags.map((t) => `<h2 id="tag-${esc(t)}">${esc(t)}</h2>\n${groups.get(t)!.join('\n')}`).join('\n');
  const codes = (doc.components?.schemas?.Error?.properties?.error?.properties?.code?.enum ?? []) as string[];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:0 auto;padding:1rem 2rem;color:#1b1f24}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f5f7;padding:.6rem;overflow:auto}
section{border-top:1px solid #ddd;padding:.4rem 0}h3{margin:.4rem 0;font-size:1rem}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:1px 4px}
.m-get{background:#1f6f43}.m-post{background:#1d4f91}.m-put{background:#7a4b00}.m-patch{background:#5b3a8c}.m-delete{background:#a1262b}
.who{color:#555;font-size:.85rem;margin-left:.5rem}.who::before{content:"— "}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;font-size:.9rem}
.st{color:#555;font-size:.85rem}nav{margin:.5rem 0 1rem}
</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<nav>${nav}</nav>
${sections}
<h2 id="errors">Error codes</h2>
<p>${codes.map((c) => `<code>${esc(c)}</code>`).join(' ')}</p>
</body></html>
`;
}
