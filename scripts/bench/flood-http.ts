// HTTP on loopback from a chosen source address (127.x stands in for distinct clients), with
// keep-alive per address: the flood benchmark's admin, genuine users and attacker all use it.
import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

const agents = new Map<string, Agent>();
/** One HTTP request from `from` (a loopback address), keep-alive per address. */
export function http(base: string, method: string, path: string, from: string, body?: unknown, cookie?: string): Promise<Reply> {
  const u = new URL(base + path);
  let agent = agents.get(from);
  if (!agent) agents.set(from, (agent = new Agent({ keepAlive: true, maxSockets: 64 })));
  const payload = JSON.stringify(body ?? {});
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method,
        localAddress: from,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Closes the kept-alive sockets (at the end of a run). */
export function closeHttpAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}
