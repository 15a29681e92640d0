// The baseline (dist/bench-raw.mjs): a bare `ws` server with the gateway's socket options that,
// on an HTTP call (as the admin's call reaches Seatkeeper), sends prepared frames — the exact bytes
// Seatkeeper sent in the same run — to one socket or to every socket. No parsing, no state.
import { createServer, type IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../shared/protocol/version.js';
import { serve } from './rpc.js';

const sockets = new Map<number, WebSocket>();
let frames: Record<string, string> = {};

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://raw');
  const kinds = (url.searchParams.get('frames') ?? '').split(',').filter(Boolean);
  const texts = kinds.map((k) => frames[k]);
  void body(req).then(() => {
    if (texts.some((t) => t === undefined)) {
      res.writeHead(400).end('{"error":"unknown frame"}');
      return;
    }
    if (url.pathname === '/send') {
      const ws = sockets.get(Number(url.searchParams.get('i')));
      if (!ws) return void res.writeHead(404).end('{"error":"no such socket"}');
      for (const t of texts) ws.send(t!);
    } else if (url.pathname === '/broadcast') {
      for (const ws of sockets.values()) for (const t of texts) ws.send(t!);
    } else return void res.writeHead(404).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
// The gateway's options: no compression, the same payload cap.
const wss = new WebSocketServer({ server: http, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const i = Number(new URL(req.url ?? '/', 'http://raw').searchParams.get('i'));
  sockets.set(i, ws);
  ws.on('close', () => {
    if (sockets.get(i) === ws) sockets.delete(i);
  });
  ws.on('error', () => {});
});
const { values } = parseArgs({ options: { port: { type: 'string' } } });
await new Promise<void>((resolve) => http.listen(Number(values.port ?? 0), '127.0.0.1', resolve));
process.once('SIGTERM', () => process.exit(0));

const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();

serve(
  {
    gc: async () => {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    eldReset: () => eld.reset(),
    eldRead: () => ({ maxMs: eld.max / 1e6 }),
    frames(f: Record<string, string>) {
      frames = f;
    },
    count: () => sockets.size,
    async closeAll() {
      for (const ws of sockets.values()) ws.terminate();
      sockets.clear();
    },
  },
  { port: (http.address() as { port: number }).port },
);
