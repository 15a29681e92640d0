// The processes of the cluster bench: server nodes (dist/bench-server.mjs on a PostgreSQL
// database, each with a data directory of its own), one simulated-agent swarm per node, and bare
// ws servers for the failover baseline; every one of them stopped by `close()`, killed or not.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, type ServerProc } from './fleet-procs.js';
import { Helper, monoMs } from './rpc.js';

/** handshakes in flight per swarm (a node's listen backlog is 511) */
const CONCURRENCY = 96;

export interface Node extends ServerProc {
  name: string;
  /** kill -9: no close frame, no goodbye to the database */
  kill(): Promise<void>;
}

export class ClusterProcs {
  readonly fleet: Fleet;
  readonly raws: Array<{ helper: Helper; port: number }>;
  readonly #nodes = new Set<Node>();
  readonly #dirs: string[] = [];

  private constructor(fleet: Fleet, raws: Array<{ helper: Helper; port: number }>) {
    this.fleet = fleet;
    this.raws = raws;
  }

  /** `swarms` swarm processes (one per node) and `raws` bare ws servers (at least one). */
  static async start(swarms: number, raws = swarms): Promise<ClusterProcs> {
    const started: Helper[] = [];
    try {
      const sw = await Promise.all(
        Array.from({ length: swarms }, async (_, k) => {
          const h = (await Helper.start(`swarm${k}`, 'bench-swarm.mjs', [], ['--max-old-space-size=4096'])).helper;
          started.push(h);
          return h;
        }),
      );
      const bare = await Promise.all(
        Array.from({ length: Math.max(1, raws) }, async (_, k) => {
          const r = await Helper.start<{ port: number }>(`raw${k}`, 'bench-raw.mjs', ['--port', '0'], ['--max-old-space-size=4096']);
          started.push(r.helper);
          return { helper: r.helper, port: r.ready.port };
        }),
      );
      return new ClusterProcs(new Fleet(sw, bare[0]!.helper, bare[0]!.port), bare);
    } catch (err) {
      await Promise.all(started.map((h) => h.stop()));
      throw err;
    }
  }

  /** A server node on `databaseUrl`. */
  async node(name: string, databaseUrl: string): Promise<Node> {
    const dir = await mkdtemp(join(tmpdir(), `sk-bench-node-${name}-`));
    this.#dirs.push(dir);
    const { helper, ready } = await Helper.start<{ port: number; url: string }>(`node ${name}`, 'bench-server.mjs', ['--data', dir, '--database', databaseUrl], [
      '--expose-gc',
      '--max-old-space-size=4096',
    ]);
    const node: Node = {
      name,
      helper,
      ...ready,
      async kill() {
        helper.child.kill('SIGKILL');
        await helper.exited;
      },
    };
    this.#nodes.add(node);
    return node;
  }

  /** Stops the nodes (SIGTERM, then SIGKILL) and forgets them, their data directories removed. */
  async stopNodes(): Promise<void> {
    await Promise.all([...this.#nodes].map((n) => n.helper.stop()));
    this.#nodes.clear();
    for (const d of this.#dirs.splice(0)) await rm(d, { recursive: true, force: true });
  }

  /**
   * Agents [0, n) in equal thirds (one per swarm): swarm k's agents talk to `urls[k]` first, then
   * to the others in turn, as an agent enrolled with every node as --server does.
   */
  async layout(urls: string[], n: number, raw: boolean): Promise<void> {
    const k = this.fleet.swarms.length;
    await Promise.all(
      this.fleet.swarms.map((s, j) => {
        const order = urls.length === 1 ? urls : [...urls.slice(j % urls.length), ...urls.slice(0, j % urls.length)];
        return s.call('setup', { url: order[0], alsoUrls: order.slice(1), raw, from: Math.floor((j * n) / k), to: Math.floor(((j + 1) * n) / k) });
      }),
    );
  }

  /** The agent indices swarm `j` holds, of n. */
  range(j: number, n: number): [number, number] {
    const k = this.fleet.swarms.length;
    return [Math.floor((j * n) / k), Math.floor(((j + 1) * n) / k)];
  }

  /** Connects every agent set up; resolves with how many connected and the rate. */
  async connect(n: number, timeoutMs: number): Promise<{ connected: number; rate: number }> {
    const t0 = monoMs();
    const rs = await this.fleet.all<{ connected: number; tLast: number }>('connect', { upTo: n, concurrency: CONCURRENCY, timeoutMs });
    const connected = rs.reduce((a, r) => a + r.connected, 0);
    return { connected, rate: (connected / (Math.max(...rs.map((r) => r.tLast)) - t0)) * 1000 };
  }

  async close(): Promise<void> {
    await this.fleet.all('closeAll').catch(() => {});
    await this.stopNodes();
    await Promise.all([...this.fleet.swarms, ...this.raws.map((r) => r.helper)].map((h) => h.stop()));
  }
}
