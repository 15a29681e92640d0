// A node's death costs its agents one reconnect: kill -9 of the node the real agents talk to, and
// they reconnect to the other nodes they were enrolled with, reconcile, and hear of a revocation
// made meanwhile; nothing acknowledged before the kill is lost. The leader's death moves the
// cluster's jobs (scheduled switches, the usage sampler) to another node.
import { describe, expect, it } from 'vitest';
import { readDaemonStatus } from '../../agent/state/status-file.js';
import { until } from '../e2e/workstation.js';
import { activateOn, clusterSuite, on, type Node } from './cluster.js';

const cluster = clusterSuite();

/** The devices node `n` holds a socket for (presence is per node). */
async function onlineAt(n: Node, admin: Parameters<typeof on>[1], base: string): Promise<string[]> {
  const r = await on(n, admin).get(`${base}/devices`);
  return r.status === 200 ? (r.body.devices as Array<{ id: string; online: boolean }>).filter((d) => d.online).map((d) => d.id) : [];
}

describe('a node killed under its agents', () => {
  it('sends its agents to the other nodes, which reconcile them and deliver a revocation made during the outage', async () => {
    const org = await cluster.orgOn(2);
    const [a, b, c] = await Promise.all([cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl)]);
    const o = await cluster.setUp(org, a!);
    const people = [await o.member(), await o.member()];
    const stations = [await cluster.station('one'), await cluster.station('two')];
    for (const ws of stations) {
      // Node C first: the agents talk to it until it dies, then to A, then B.
      const enrolled = await until('node C knows the token', async () => {
        const r = await ws.run(['enroll', '--server', c!.url, '--server', `${a!.url},${b!.url}`, '--token', o.token, '--json']);
        return r.code === 0 && r;
      }, 20_000, 200);
      ws.deviceId = JSON.parse(enrolled.stdout).deviceId;
      await ws.start();
    }
    for (const [i, ws] of stations.entries()) await ws.login(activateOn(c!, people[i]!.client));
    const assignments: string[] = [];
    for (const p of people) {
      const r = await on(b!, o.admin).post(`${o.base}/assignments`, { lineId: o.lineId, accountId: p.accountId });
      expect(r.status).toBe(201);
      assignments.push(r.body.id as string);
    }
    for (const ws of stations) await ws.waitLease('SW-PREMIUM', 'held', 20_000);
    await until('both agents on node C', async () => (await onlineAt(c!, o.admin, o.base)).length === 2, 20_000, 100);
    // Presence is shared through the database: node A counts node C's agents online too.
    await until('node A sees them online', async () => (await onlineAt(a!, o.admin, o.base)).length === 2, 20_000, 100);

    const killedAt = Date.now();
    await c!.kill();
    // Made while the agents are cut off (or reconnecting): it must reach the first one either way.
    const removed = await on(b!, o.admin).req('DELETE', `${o.base}/assignments/${assignments[0]}`);
    expect(removed.status).toBe(200);

    const [one, two] = stations;
    for (const ws of stations) {
      await until(`${ws.name} connected again, to another node`, async () => {
        const st = await readDaemonStatus(ws.paths);
        return st?.connected === true && st.since >= killedAt;
      }, 30_000, 100);
    }
    await one!.waitLease('SW-PREMIUM', 'revoked', 20_000);
    expect((await one!.check('SW-PREMIUM')).json).toMatchObject({ mayRun: false, reason: 'revoked', revokeReason: 'unassigned' });
    const kept = await two!.check('SW-PREMIUM');
    expect(kept.code).toBe(0);
    // What was acknowledged before the kill is there on the nodes that live on.
    const listed = await on(a!, o.admin).get(`${o.base}/assignments?lineId=${o.lineId}`);
    expect(listed.body.assignments.map((x: { id: string }) => x.id)).toEqual([assignments[1]]);
  }, 240_000);
});

describe('the leader killed', () => {
  it('runs scheduled switches and samples usage on another node', async () => {
    const org = await cluster.orgOn(2);
    // The first node up takes the leader lock; the others wait for it.
    const leader = await cluster.startNode(org.databaseUrl);
    const [b, c] = await Promise.all([cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl)]);
    const o = await cluster.setUp(org, b!);
    await until('node C knows the owner', async () => (await on(c!, o.admin).get(`${o.base}/switches`)).status === 200, 20_000, 100);

    await leader.kill();
    const killedAt = Date.now();
    const runAt = Date.now() + 1500;
    const scheduled = await on(c!, o.admin).post(`${o.base}/lines/${o.lineId}/switch/apply`, { to: 'serial', runAt });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.switch).toMatchObject({ status: 'scheduled' });
    const id = scheduled.body.switch.id as string;
    // Another node takes the lock at its next poll and applies the switch when it is due.
    await until('the switch applied by another node', async () => {
      const r = await on(b!, o.admin).get(`${o.base}/switches`);
      return (r.body.switches as Array<{ id: string; status: string }>).find((s) => s.id === id)?.status === 'applied';
    }, 60_000, 200);
    const line = (await on(c!, o.admin).get(`${o.base}/contracts`)).body.contracts[0].lines[0];
    expect(line.method).toBe('serial');
    // The usage sampler runs at the top of each minute, on the leader only.
    await until('a usage sample taken after the leader died', async () => {
      const r = await on(b!, o.admin).get(`${o.base}/usage?hours=1`);
      return r.status === 200 && (r.body.samples as Array<{ at: number }>).some((s) => s.at >= killedAt);
    }, 150_000, 1000);
  }, 300_000);
});
