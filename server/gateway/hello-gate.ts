// Sockets that have not proved who they are yet cost memory, a timer and a challenge each: one
// client address may hold only a few of them at once. Further upgrades get 429 before the
// WebSocket exists.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Limits } from '../core/config.js';
import { addressPolicy, type AddressPolicy } from '../http/client-address.js';

export class HelloGate {
  readonly #pending = new Map<string, number>();
  readonly #addresses: AddressPolicy;
  constructor(
    private readonly limits: Pick<Limits, 'unhelloedSocketsPerAddress'>,
    trustedProxies: readonly string[],
  ) {
    this.#addresses = addressPolicy(trustedProxies);
  }

  clientOf(req: IncomingMessage): string {
    return this.#addresses.clientOf(req);
  }

  /** False (and the socket answered and closed) when the address already has its share waiting. */
  admit(address: string, socket: Duplex): boolean {
    if ((this.#pending.get(address) ?? 0) < this.limits.unhelloedSocketsPerAddress) return true;
    const body = JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many unauthenticated agent sockets from your address.' } });
    socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return false;
  }

  /** Counts a socket as waiting for its hello; the returned function (call once) stops counting it, then runs `settled`. */
  hold(address: string, settled: () => void = () => {}): () => void {
    this.#pending.set(address, (this.#pending.get(address) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#pending.get(address) ?? 1) - 1;
      if (left <= 0) this.#pending.delete(address);
      else this.#pending.set(address, left);
      settled();
    };
  }
}
