// Declares routes with their access level and schemas, and keeps the route table (the org-
// isolation tests walk it, so a new route is covered without anyone remembering to add it).
// Bodies and queries are parsed here, at the edge; handlers receive typed values.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { SeatkeeperError } from '../../shared/errors.js';
import { isObjectMemberName } from '../../shared/protocol/common.js';
import type { Services } from '../core/services.js';
import type { Account, Membership, OrgDoc } from '../domain/model.js';
import { zodMessage } from './error-handler.js';
import { resolveCaller, type Caller } from './caller.js';
import { KnownDevices } from './known-device.js';
import { RouteLimits, type RouteLimit } from './route-limits.js';
import { isLoopback, operatorTokenMatches } from '../ops/operator-file.js';

/**
 * public: anyone; account: signed in; member: signed in and in :orgId; admin: owner or admin of :orgId;
 * operator: the token of DATA/operator.json, from loopback, never forwarded (ops/operator-file.ts)
 */
export type Access = 'public' | 'account' | 'member' | 'admin' | 'operator';
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OrgContext {
  id: string;
  /** read-only view; mutate only inside store.tx */
  doc: OrgDoc;
  membership: Membership;
  isAdmin: boolean;
}

export interface Ctx<B, Q> {
  req: FastifyRequest;
  reply: FastifyReply;
  s: Services;
  body: B;
  query: Q;
  params: Record<string, string>;
  /** present unless access is 'public' (then it is the caller if signed in, or undefined) */
  caller: Caller;
  account: Account;
  /** present for 'member' and 'admin' routes */
  org: OrgContext;
}

export interface RouteDef<B, Q> {
  method: Method;
  url: string;
  access: Access;
  body?: ZodType<B>;
  query?: ZodType<Q>;
  /** status for a successful reply (default 200) */
  status?: number;
  summary: string;
  /** public routes are limited per address by default; see route-limits.ts */
  limit?: RouteLimit;
  handler(ctx: Ctx<B, Q>): Promise<unknown> | unknown;
}

export interface RouteInfo {
  method: Method;
  url: string;
  access: Access;
  summary: string;
  hasBody: boolean;
  /** the schemas the route parses with, for the OpenAPI document (server/http/openapi.ts) */
  schemas: { body?: ZodType; query?: ZodType; status: number };
}

const idParam = /^[A-Za-z0-9_-]{1,64}$/;

export class Router {
  readonly table: RouteInfo[] = [];
  readonly #limits: RouteLimits;
  readonly #known: KnownDevices;
  constructor(
    private readonly app: FastifyInstance,
    private readonly s: Services,
  ) {
    this.#limits = new RouteLimits(s);
    this.#known = new KnownDevices(s);
  }

  add<B = undefined, Q = undefined>(def: RouteDef<B, Q>): void {
    this.table.push({
      method: def.method,
      url: def.url,
      access: def.access,
      summary: def.summary,
      hasBody: !!def.body,
      schemas: { ...(def.body ? { body: def.body } : {}), ...(def.query ? { query: def.query } : {}), status: def.status ?? 200 },
    });
    const s = this.s;
    const limits = this.#limits;
    const known = this.#known;
    const routeKey = `${def.method} ${def.url}`;
    this.app.route({
      method: def.method,
      url: def.url,
      handler: async (req, reply) => {
        if (def.access === 'operator') {
          // The socket's own peer, not req.ip: a trusted proxy's X-Forwarded-For is no way in, and a
          // request that came through any proxy (it says so) is refused even from a local one.
          const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
          if (forwarded || !isLoopback(req.socket.remoteAddress) || !operatorTokenMatches(s.store, req.headers.authorization)) {
            throw new SeatkeeperError('ROUTE_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}.`);
          }
        }
        const params = req.params as Record<string, string>;
        for (const v of Object.values(params)) {
          // A malformed id names nothing, exactly as an unknown one does; `__proto__` and the like
          // are malformed (looked up in a record they would name Object.prototype).
          if (!idParam.test(v) || isObjectMemberName(v)) throw new SeatkeeperError('NOT_FOUND', 'Not found.');
        }
        limits.checkAddress(routeKey, def.access === 'public', def.limit, req.ip);
        const caller = resolveCaller(s, req);
        if (!caller && def.access !== 'public' && def.access !== 'operator') throw new SeatkeeperError('UNAUTHENTICATED', 'Sign in first.');
        let org: OrgContext | undefined;
        if (def.access === 'member' || def.access === 'admin') {
          const orgId = params.orgId;
          const doc = orgId ? s.store.org(orgId) : undefined;
          const membership = doc?.members[caller!.account.id];
          // Another organization answers exactly as one that does not exist.
          if (!doc || !membership || doc.org.removedAt) throw new SeatkeeperError('NOT_FOUND', 'No such organization.');
          const isAdmin = membership.role === 'owner' || membership.role === 'admin';
          if (def.access === 'admin' && !isAdmin) {
            throw new SeatkeeperError('FORBIDDEN', 'Only administrators of this organization may do that.');
          }
          org = { id: orgId!, doc, membership, isAdmin };
        }
        const body = parse(def.body, req.body, 'body');
        const query = parse(def.query, req.query, 'query');
        limits.checkSerial(def.limit, req.ip, caller?.account.id, body);
        const result = await Promise.resolve(known.run(req, body, () => def.handler({
          req,
          reply,
          s,
          body: body as B,
          query: query as Q,
          params,
          caller: caller as Caller,
          account: caller?.account as Account,
          org: org as OrgContext,
        }))).catch((e: unknown) => {
          limits.failed(def.limit, req.ip, caller?.account.id, e);
          throw e;
        });
        if (reply.sent) return reply;
        known.after(req, reply, result);
        reply.status(def.status ?? 200);
        return result ?? { ok: true };
      },
    });
  }
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T | undefined {
  if (!schema) return undefined;
  const r = schema.safeParse(value ?? (where === 'query' ? {} : undefined));
  if (!r.success) throw new SeatkeeperError('VALIDATION_FAILED', zodMessage(r.error, where));
  return r.data;
}
