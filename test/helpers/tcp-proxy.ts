// A TCP proxy in front of the server, to break the network under an agent: cut() kills every
// connection and refuses new ones until restore(); armCut() cuts the next matching chunk going one
// way half-way through (forwards its first half, then destroys both sides).
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Cut {
  /** bytes of the chunk that were forwarded */
  forwarded: number;
  /** bytes the chunk had */
  total: number;
}

export type Direction = 'to-agent' | 'to-server';

export class TcpProxy {
  readonly #server: Server;
  readonly #pairs = new Set<[Socket, Socket]>();
  #armed: { direction: Direction; match: (chunk: Buffer) => boolean; done: (c: Cut) => void } | null = null;
  #down = false;
  port = 0;

  private constructor(targetPort: number) {
    this.#server = createServer((client) => {
      if (this.#down) {
        client.destroy();
        return;
      }
      const upstream = connect(targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [client, upstream];
      this.#pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.#pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      this.#forward(client, upstream, 'to-server', drop);
      this.#forward(upstream, client, 'to-agent', drop);
    });
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const p = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => p.#server.listen(0, '127.0.0.1', resolve));
    p.port = (p.#server.address() as { port: number }).port;
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every connection through the proxy dies; new ones are refused until restore(). */
  cut(): void {
    this.#down = true;
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
  }

  restore(): void {
    this.#down = false;
  }

  /** Cuts the next chunk going `direction` that `match` accepts, half-way through. */
  armCut(direction: Direction, match: (chunk: Buffer) => boolean): Promise<Cut> {
    return new Promise((resolve) => {
      this.#armed = { direction, match, done: resolve };
    });
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #forward(from: Socket, to: Socket, direction: Direction, drop: () => void): void {
    from.on('data', (chunk: Buffer) => {
      const armed = this.#armed;
      if (!armed || armed.direction !== direction || !armed.match(chunk)) {
        to.write(chunk);
        return;
      }
      this.#armed = null;
      from.pause();
      const half = Math.max(1, Math.floor(chunk.length / 2));
      to.write(chunk.subarray(0, half), () => {
        // Give the half a moment on the wire before the connection dies under it.
        setTimeout(() => {
          drop();
          armed.done({ forwarded: half, total: chunk.length });
        }, 50);
      });
    });
  }
}
