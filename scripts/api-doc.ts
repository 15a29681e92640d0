// `npm run docs`: rewrites the README's API reference from the live route table and the error
// codes, between the markers <!-- api:start --> and <!-- api:end -->. A test keeps them in step.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorCodes } from '../shared/errors.js';
import { startServer } from '../server/app.js';
import { createLogger } from '../server/core/log.js';
import { createMemoryStore } from '../server/store/memory-store.js';
import type { RouteInfo } from '../server/http/router.js';
import { replaceSection } from './readme-section.js';

export function renderApiDoc(routes: RouteInfo[]): string {
  const access: Record<string, string> = { public: 'anyone', account: 'signed in', member: 'member of :orgId', admin: 'admin of :orgId', operator: 'operator (loopback + DATA/operator.json token)' };
  const rows = [...routes]
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))
    .map((r) => `| \`${r.method}\` | \`${r.url}\` | ${access[r.access]} | ${r.summary} |`);
  const codes = Object.entries(errorCodes).map(([code, v]) => `| \`${code}\` | ${v.status} | ${v.retryable ? 'yes' : 'no'} |`);
  return [
    '<!-- api:start -->',
    '| method | path | who may call | what it does |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    'Errors always have the shape `{ "error": { "code": "...", "message": "..." } }`. Codes:',
    '',
    '| code | HTTP status | retry may help |',
    '| --- | --- | --- |',
    ...codes,
    '<!-- api:end -->',
  ].join('\n');
}

export async function routeTable(): Promise<RouteInfo[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sk-doc-'));
  const server = await startServer({ dataDir: dir, port: 0 }, { store: createMemoryStore(), logger: createLogger({ silent: true }) });
  const routes = server.routes;
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return routes;
}

if (process.argv[1] && /api-doc\.(mjs|ts)$/.test(process.argv[1])) {
  const readme = await readFile('README.md', 'utf8');
  const doc = renderApiDoc(await routeTable());
  const next = replaceSection(readme, 'api', doc);
  await writeFile('README.md', next);
  process.stdout.write(`README.md API reference: ${doc.split('\n').length} lines\n`);
}
