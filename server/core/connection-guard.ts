// What one client can hold open: Node's timeouts set on purpose, a cap on connections per
// address and in all. A refused connection is closed before it costs a file descriptor for long.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Limits } from './config.js';
import type { Logger } from './log.js';
import { addressKey, type AddressPolicy } from './client-address.js';

/** Sockets counted against their address, and how to stop counting one (an agent that proved who it is). */
const counted = new WeakMap<object, () => void>();

/** An authenticated agent socket no longer counts against its address's cap. */
export function exemptConnection(socket: object): void {
  counted.get(socket)?.();
}

/** Connections the process can hold: its open-file limit, less what files and the store need. */
export function fdBudget(): number {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Math.max(64, Number(m[1]) - 256);
  } catch {
    // not Linux: fall through
  }
  return 10_000;
}

export function guardConnections(server: Server, limits: Limits, addresses: AddressPolicy, log: Logger): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Inactivity on any socket (a request never finished, a keep-alive never used); the WebSocket
  // library clears it on upgrade and keeps its own heartbeat.
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections || fdBudget();
  const open = new Map<string, number>();
  let warned = 0;
  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '?';
    // Behind a trusted proxy every client shares its address: the proxy enforces its own caps.
    if (addresses.trusts(peer)) return;
    const address = addressKey(peer);
    const n = (open.get(address) ?? 0) + 1;
    if (n > limits.connectionsPerAddress) {
      if (Date.now() - warned > 10_000) {
        warned = Date.now();
        log.warn('connections refused: too many from one address', { address, limit: limits.connectionsPerAddress });
      }
      socket.destroy();
      return;
    }
    open.set(address, n);
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      counted.delete(socket);
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    };
    counted.set(socket, release);
    socket.once('close', release);
  });
}
