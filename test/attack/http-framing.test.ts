// Requests Node's HTTP parser refuses before any route runs still get the documented error shape.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** Sends raw bytes and reads until the server closes the connection. */
function raw(text: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1', () => sock.write(text));
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (got += d));
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
  });
}

const body = (reply: string) => JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };

describe('requests refused by the HTTP parser', () => {
  it('answers headers over 16 KiB with 431 HEADERS_TOO_LARGE in the error shape', async () => {
    const reply = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(reply.startsWith('HTTP/1.1 431')).toBe(true);
    expect(body(reply).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers a malformed request line with 400 BAD_REQUEST, and the server goes on', async () => {
    const reply = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(reply.startsWith('HTTP/1.1 400')).toBe(true);
    expect(body(reply).error.code).toBe('BAD_REQUEST');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
