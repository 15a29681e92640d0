// Serves the OpenAPI document (/api/v1/openapi.json) and its reference page (/api/v1/docs), built
// once from the complete route table on first request.
import { buildOpenApi } from './openapi.js';
import { renderApiPage } from './openapi-page.js';
import type { Router } from './router.js';

declare const __SEATKEEPER_VERSION__: string | undefined;
const version = typeof __SEATKEEPER_VERSION__ === 'string' && __SEATKEEPER_VERSION__ ? __SEATKEEPER_VERSION__ : '0.0.0-dev';

export function registerOpenApiRoutes(r: Router): void {
  let doc: Record<string, unknown> | undefined;
  let page: string | undefined;
  // Built when first asked: by then every module has registered its routes.
  const document = () => (doc ??= buildOpenApi(r.table, { version }));

  r.add({
    method: 'GET',
    url: '/api/v1/openapi.json',
    access: 'public',
    summary: 'This API as an OpenAPI 3.1 document, generated from the route table and its schemas.',
    handler: () => document(),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/docs',
    access: 'public',
    summary: 'A readable reference page of this API (static HTML, no scripts).',
    handler: ({ reply }) => {
      page ??= renderApiPage(document());
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .send(page);
    },
  });
}
