// A real HTTP receiver for webhook deliveries on 127.0.0.1: keeps every request (headers, body) and
// answers with the status `statusOf` gives for the nth request (1-based), 204 by default.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  close(): void;
}

export async function startWebhookReceiver(path: string, statusOf: (n: number) => number = () => 204): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statusOf(received.length);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, received, close: () => server.close() };
}
