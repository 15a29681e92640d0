// The Fastify instance: limits, error shape, routes, and the portal's static files.
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { Services } from '../core/services.js';
import { addressPolicy } from '../core/client-address.js';
import { guardConnections } from '../core/connection-guard.js';
import { refuseCrossSite } from './cross-site.js';
import { frameworkError, installErrorHandler } from './error-handler.js';
import { securityHeaders } from './security-headers.js';
import { configurePasswordCost, configurePasswordGate } from '../core/password.js';
import { Router, type RouteInfo } from './router.js';
import { registerAllRoutes } from './routes/index.js';

export const BODY_LIMIT = 64 * 1024;

const mime: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export function buildHttp(s: Services): { app: FastifyInstance; routes: RouteInfo[] } {
  configurePasswordGate(s.config.limits, (message, meta) => s.log.warn(message, meta));
  configurePasswordCost(s.config.passwordCost);
  const trusted = s.config.trustedProxies;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: false,
    // req.ip comes from X-Forwarded-For only when the peer is a configured proxy.
    trustProxy: trusted.length > 0 ? [...trusted] : false,
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkError,
    clientErrorHandler,
    connectionTimeout: s.config.limits.idleTimeoutMs,
    keepAliveTimeout: s.config.limits.keepAliveTimeoutMs,
    requestTimeout: s.config.limits.requestTimeoutMs,
  });
  guardConnections(app.server, s.config.limits, addressPolicy(trusted), s.log);
  installErrorHandler(app, s.log);
  // Writes must be JSON even without a body (cross-site.ts), so an empty JSON body is no body.
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    json(req, body as string, done);
  });
  app.addHook('onRequest', async (req) => refuseCrossSite(req, s.publicUrl()));
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(securityHeaders);
    return payload;
  });
  const router = new Router(app, s);
  registerAllRoutes(router);
  app.get('/healthz', async () => ({ ok: true }));

  const webDir = s.config.webDir;
  if (webDir && existsSync(join(webDir, 'index.html'))) {
    // A single-page app: any non-API GET that is not a file gets index.html.
    app.get('/*', async (req, reply) => {
      const path = normalize(decodeURIComponent(req.url.split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
      if (path.startsWith('/api/')) return reply.callNotFound();
      const file = join(webDir, path);
      const target = file.startsWith(webDir) && existsSync(file) && extname(file) ? file : join(webDir, 'index.html');
      reply.header('content-type', mime[extname(target)] ?? 'application/octet-stream');
      if (target.includes('/assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.send(await readFile(target));
    });
  }
  return { app, routes: router.table };
}

/**
 * Requests Node refuses before Fastify sees them (headers over 16 KiB, a malformed request line)
 * still get the documented error shape, then the connection closes.
 */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST';
  const message = code === 'HEADERS_TOO_LARGE' ? 'The request headers are too large (at most 16 KiB).' : 'The request could not be read as HTTP.';
  const body = JSON.stringify({ error: { code, message } });
  const status = code === 'HEADERS_TOO_LARGE' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
