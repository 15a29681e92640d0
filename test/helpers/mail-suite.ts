// For test files about the mail people get: one server for the whole file whose mail goes to a
// real SMTP server on loopback, both started before the file's tests and stopped after them.
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './server.js';
import { startSmtp, type TestSmtp } from './smtp.js';

export { PERMISSIONS_SUBJECT as PERMISSIONS } from '../../server/mail/permissions-mail.js';

/** Starts both before the file's tests and hands them to `onStart` (to keep, and to listen on). */
export function serverWithSmtp(onStart: (started: { server: TestServer; smtp: TestSmtp }) => void): void {
  let server: TestServer | undefined;
  let smtp: TestSmtp | undefined;
  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startTestServer({ mail: { kind: 'smtp', host: '127.0.0.1', port: smtp.port } });
    onStart({ server, smtp });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });
}
