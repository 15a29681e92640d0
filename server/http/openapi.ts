// The OpenAPI 3.1 document, generated from the route table and the zod schemas each route parses
// with: a route added to the router is in the document without anyone remembering to add it.
import { z, type ZodType } from 'zod';
import { errorCodes } from '../../shared/errors.js';
import type { RouteInfo } from './router.js';

type Json = Record<string, unknown>;

const accessWords: Record<RouteInfo['access'], string> = {
  public: 'Anyone may call this.',
  account: 'Signed in (session cookie or API token).',
  member: 'A member of :orgId.',
  admin: 'An owner or admin of :orgId.',
  operator: 'The operator of this server: `Authorization: Operator <token of DATA/operator.json>`, from loopback only; anyone else gets 404.',
};

/** zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), as a request is written (before defaults). */
function jsonSchema(schema: ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** `/orgs/:orgId/x` → `/orgs/{orgId}/x` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pathParams(url: string): Json[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
  }));
}

function queryParams(schema: ZodType | undefined): Json[] {
  if (!schema) return [];
  const js = jsonSchema(schema);
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: 'query', required: required.has(name), schema: rest, ...(typeof description === 'string' ? { description } : {}) };
  });
}

/** operationId: method + path words, unique across the table (e.g. `getOrgsOrgIdMembers`). */
function operationId(r: RouteInfo): string {
  const words = r.url
    .replace(/^\/api\/v1\//, '')
    .split(/[/:-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return r.method.toLowerCase() + words.join('');
}

function tagOf(url: string): string {
  const rest = url.replace(/^\/api\/v1\//, '').split('/');
  if (rest[0] === 'orgs' && rest.length > 2) return rest[2]!;
  return rest[0] ?? 'api';
}

export interface OpenApiInfo {
  version: string;
  serverUrl?: string;
}

export function buildOpenApi(routes: readonly RouteInfo[], info: OpenApiInfo): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const p = (paths[openApiPath(r.url)] ??= {});
    const parameters = [...pathParams(r.url), ...queryParams(r.schemas.query)];
    const op: Json = {
      operationId: operationId(r),
      summary: r.summary,
      description: `${r.summary}\n\n${accessWords[r.access]}`,
      tags: [tagOf(r.url)],
      'x-access': r.access,
      ...(parameters.length ? { parameters } : {}),
      ...(r.schemas.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.schemas.body) } } } } : {}),
      responses: {
        [String(r.schemas.status)]: { description: 'Success.', content: { 'application/json': { schema: {} } } },
        '4XX': { $ref: '#/components/responses/Error' },
        '5XX': { $ref: '#/components/responses/Error' },
      },
      security: r.access === 'public' ? [{}, { bearer: [] }, { session: [] }] : r.access === 'operator' ? [{ operator: [] }] : [{ bearer: [] }, { session: [] }],
    };
    p[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Seatkeeper HTTP API',
      version: info.version,
      description:
        'Self-hosted license manager for engineering workstations. JSON in and out; scripts authenticate with `Authorization: Bearer <token>` ' +
        '(a token from POST /api/v1/me/tokens). Another organization\u2019s ids answer 404, exactly like ids that do not exist.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/v1/me/tokens.' },
        session: { type: 'apiKey', in: 'cookie', name: 'sk_session', description: 'The portal session cookie.' },
        operator: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Operator <token>`, the token of DATA/operator.json; loopback only.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string', enum: Object.keys(errorCodes) }, message: { type: 'string' } },
            },
          },
        },
      },
      responses: {
        Error: { description: 'An error: `{ "error": { "code", "message" } }`.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    },
  };
}
