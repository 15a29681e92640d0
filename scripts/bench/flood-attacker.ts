// The attacker of the flood benchmark (dist/bench-flood.mjs), in a process of its own: its
// thousands of requests and sockets must not share an event loop with the admin being timed, or
// the figure would count the attacker's own client as the server's delay. On `start` it runs one
// flood against the server until `stop`, which answers what it did.
import { createPrivateKey } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { signHello } from '../../shared/protocol/hello-signature.js';
import { encodeFrame } from '../../shared/protocol/index.js';
import { closeHttpAgents, http } from './flood-http.js';
import { serve } from './rpc.js';

/** A flood runs until `stop()` says so, then says what it did ("4127 sign-ins sent"). */
type Flood = (stop: () => boolean) => Promise<string>;

function hashFlood(base: string): Flood {
  return async (stop) => {
    let sent = 0;
    let k = 0;
    // 600 sign-ins outstanding, as in the issue, at 300 a second in all: several times what
    // password hashing can absorb, without turning into a raw request flood on this 2-core box.
    const worker = async () => {
      while (!stop()) {
        const t0 = performance.now();
        const from = `127.0.1.${1 + (k++ % 250)}`;
        await http(base, 'POST', '/api/v1/auth/sign-in', from, { email: `nobody.${k}.${Math.random()}@flood.example`, password: 'guess-guess' }).catch(() => undefined);
        sent++;
        await new Promise((r) => setTimeout(r, Math.max(0, 2000 - (performance.now() - t0))));
      }
    };
    await Promise.all(Array.from({ length: 600 }, worker));
    return `${sent} sign-ins sent`;
  };
}

function connectionFlood(base: string): Flood {
  const { port } = new URL(base);
  return async (stop) => {
    let opened = 0;
    const held = new Set<Socket>();
    const worker = async () => {
      while (!stop()) {
        const pace = new Promise((r) => setTimeout(r, 200));
        await new Promise<void>((resolve) => {
          const s = tcpConnect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.2.1' }, () => {
            opened++;
            held.add(s);
          });
          s.on('error', () => resolve());
          s.on('close', () => {
            held.delete(s);
            resolve();
          });
          // An idle connection the server keeps: hold it and open the next (1 000 a second in all).
          setTimeout(resolve, 200);
        });
        await pace;
      }
    };
    await Promise.all(Array.from({ length: 200 }, worker));
    for (const s of held) s.destroy();
    return `${opened} connections opened`;
  };
}

function frameFlood(base: string, device: { deviceId: string; privateKey: ReturnType<typeof createPrivateKey> }): Flood {
  return async (stop) => {
    let sent = 0;
    let connections = 0;
    while (!stop()) {
      connections++;
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(base.replace(/^http/, 'ws') + '/agent', { localAddress: '127.0.4.1' });
        ws.on('error', () => resolve());
        ws.on('close', () => resolve());
        ws.on('message', (data) => {
          const f = JSON.parse(String(data)) as { type: string; nonce?: string };
          if (f.type === 'challenge') {
            ws.send(encodeFrame({ type: 'hello', protocol: 1, deviceId: device.deviceId, agentVersion: '0.0.0-bench', signature: signHello(device.privateKey, f.nonce!, device.deviceId), leases: [], inventoryHash: null }));
          } else if (f.type === 'welcome') {
            const blast = () => {
              if (stop() || ws.readyState !== ws.OPEN) return ws.terminate();
              for (let i = 0; i < 500; i++) ws.send(encodeFrame({ type: 'lease.request', id: `m${sent++}`, productCode: 'SW-PREMIUM' }));
              setImmediate(blast);
            };
            blast();
          }
        });
      });
    }
    return `${sent} frames sent over ${connections} connections`;
  };
}

export interface FloodStart {
  kind: 'hash' | 'connection' | 'frame';
  url: string;
  /** for the frame flood: the enrolled device and its private key (PKCS#8 PEM) */
  device?: { deviceId: string; privateKeyPem: string };
}

let running: { stopped: boolean; done: Promise<string> } | null = null;

serve({
  start(args: FloodStart) {
    if (running) throw new Error('a flood is running already');
    const flood =
      args.kind === 'hash'
        ? hashFlood(args.url)
        : args.kind === 'connection'
          ? connectionFlood(args.url)
          : frameFlood(args.url, { deviceId: args.device!.deviceId, privateKey: createPrivateKey(args.device!.privateKeyPem) });
    const state: { stopped: boolean; done: Promise<string> } = { stopped: false, done: Promise.resolve('') };
    // Awaited by `stop`; a flood that fails before then says so there, not as an unhandled rejection.
    state.done = flood(() => state.stopped).catch((err: Error) => `failed: ${err.message}`);
    running = state;
  },
  async stop() {
    if (!running) throw new Error('no flood is running');
    running.stopped = true;
    const said = await running.done;
    running = null;
    closeHttpAgents();
    return said;
  },
});
