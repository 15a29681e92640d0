// Sockets that have not proved who they are yet cost memory, a timer and a challenge each: one
// client address may hold only a few of them at once. Further upgrades get 429 before the
// WebSocket exists.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Limits } from '../core/config.js';
import { addressKey, addressPolicy, type AddressPolicy } from '../core/client-address.js';

export class HelloGate {
  readonly #pending = new Map<string, number>();
  /** device id → until when its hellos are refused (it was cut off for flooding) */
  readonly #cooling = new Map<string, number>();
  readonly #addresses: AddressPolicy;
  constructor(
    private readonly limits: Pick<Limits, 'unhelloedSocketsPerAddress'>,
    trustedProxies: readonly string[],
  ) {
    this.#addresses = addressPolicy(trustedProxies);
  }

  /**
   * A device cut off for flooding may not come straight back for the rest of the window: each
   * reconnect would cost a signature check and a reconcile. Only a device that proved its key
   * can be put here, so a stranger cannot lock anyone out.
   */
  coolDown(deviceId: string, until: number): void {
    if (this.#cooling.size > 100_000) this.#cooling.clear();
    this.#cooling.set(deviceId, until);
  }

  /** Seconds the device must still wait before its hello is heard, or 0. */
  cooling(deviceId: string, now: number): number {
    const until = this.#cooling.get(deviceId);
    if (until === undefined) return 0;
    if (until <= now) {
      this.#cooling.delete(deviceId);
      return 0;
    }
    return Math.ceil((until - now) / 1000);
  }

  clientOf(req: IncomingMessage): string {
    return this.#addresses.clientOf(req);
  }

  /** False (and the socket answered and closed) when the address already has its share waiting. */
  admit(address: string, socket: Duplex): boolean {
    if ((this.#pending.get(addressKey(address)) ?? 0) < this.limits.unhelloedSocketsPerAddress) return true;
    const body = JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many unauthenticated agent sockets from your address.' } });
    socket.end(`HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return false;
  }

  /** Counts a socket as waiting for its hello; the returned function (call once) stops counting it, then runs `settled`. */
  hold(address: string, settled: () => void = () => {}): () => void {
    address = addressKey(address);
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
