// Cross-site request refusal. A browser sends the session cookie with any request to this host,
// even one a foreign page started, so every write that could ride on the cookie must (a) come
// from this origin (Origin / Sec-Fetch-Site) and (b) be JSON, which no form or simple request can
// send without a CORS preflight this server never grants. Bearer-token calls carry no ambient
// credential and are left alone; clients that send neither header (curl, agents) are not browsers.
import type { FastifyRequest } from 'fastify';
import { SeatkeeperError } from '../../shared/errors.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameOrigin(origin: string, req: FastifyRequest, publicUrl: string): boolean {
  if (!URL.canParse(origin)) return false;
  const o = new URL(origin);
  if (publicUrl && URL.canParse(publicUrl) && new URL(publicUrl).origin === o.origin) return true;
  // Reached by another name than the public URL (a LAN address): the Host the browser used.
  return o.host === req.headers.host;
}

/** Throws for a write a foreign page could have made; runs before the body is read. */
export function refuseCrossSite(req: FastifyRequest, publicUrl: string): void {
  if (!WRITES.has(req.method) || !req.url.startsWith('/api/')) return;
  if (req.headers.authorization?.startsWith('Bearer ')) return;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new SeatkeeperError('CROSS_SITE_REQUEST', `Requests started by another site (${site}) are refused.`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, req, publicUrl)) {
    throw new SeatkeeperError('CROSS_SITE_REQUEST', `Requests from ${origin.slice(0, 100)} are refused.`);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new SeatkeeperError('UNSUPPORTED_MEDIA_TYPE', 'Writes must be sent as application/json (also when they have no body).');
  }
}
