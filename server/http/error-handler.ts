// The one place any error becomes an HTTP reply: `{ error: { code, message } }`, never a stack.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Logger } from '../core/log.js';

export function zodMessage(err: ZodError, where: string): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

const fastifyCodes: Record<string, SeatkeeperError['code']> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/**
 * Errors Fastify raises before any route runs (a URL with a malformed %-escape, a path segment
 * longer than the router allows), in the same `{ error: { code, message } }` shape as the rest.
 */
export function frameworkError(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  // A segment too long to be an id names nothing, as a malformed id does (router.ts).
  const e =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new SeatkeeperError('NOT_FOUND', 'Not found.')
      : new SeatkeeperError('VALIDATION_FAILED', 'The URL is not valid (a malformed %-escape or header).');
  void reply.status(e.status).send(e.toBody());
}

export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error: FastifyError | Error, req, reply) => {
    let e: SeatkeeperError;
    if (error instanceof SeatkeeperError) e = error;
    else if (error instanceof ZodError) e = new SeatkeeperError('VALIDATION_FAILED', zodMessage(error, 'body'));
    else if ('code' in error && typeof error.code === 'string' && fastifyCodes[error.code]) {
      e = new SeatkeeperError(fastifyCodes[error.code]!, error.message);
    } else if (error instanceof SyntaxError || ('statusCode' in error && error.statusCode === 400)) {
      e = new SeatkeeperError(error instanceof SyntaxError ? 'INVALID_JSON' : 'VALIDATION_FAILED', error.message);
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      e = new SeatkeeperError(error.statusCode === 413 ? 'BODY_TOO_LARGE' : 'VALIDATION_FAILED', error.message);
    } else {
      log.error('unhandled error', { method: req.method, url: req.url.split('?')[0], error: error.message, stack: error.stack });
      e = new SeatkeeperError('INTERNAL', 'Something went wrong on the server; it has been logged.');
    }
    // A serial number tried that belongs to nothing: guesses are worth an operator's eye.
    if (e.code === 'UNKNOWN_SERIAL') log.warn('audit: unknown serial number tried', { address: req.ip, url: req.url.split('?')[0] });
    if (e.status >= 500 && e.code !== 'INTERNAL') log.warn('request failed', { url: req.url.split('?')[0], code: e.code });
    if (e.code === 'RATE_LIMITED' && e.details?.retryAfter) reply.header('retry-after', String(e.details.retryAfter));
    void reply.status(e.status).send(e.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send(new SeatkeeperError('ROUTE_NOT_FOUND', `No route ${req.method} ${req.url.split('?')[0]}.`).toBody());
  });
}
