// The cluster's lease key rotated while real agents hold leases from two nodes: the old lease still
// checks during the overlap, leases made after the rotation name the new key on every node, and
// once the old key retires a lease it signed no longer verifies (the agents get theirs signed again).
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tokenKid } from '../../shared/lease-key-id.js';
import { readLeaseKeysSync } from '../../agent/state/lease-keys-file.js';
import type { Workstation } from '../e2e/workstation.js';
import { until } from '../e2e/workstation.js';
import { activateOn, clusterSuite, on } from './cluster.js';

const cluster = clusterSuite();

/** The kid of the product's held lease, once it holds one that is not `notJti`. */
async function heldKid(ws: Workstation, notJti?: string): Promise<{ kid: string | undefined; jti: string; token: string }> {
  return until(`${ws.name} holds a lease`, async () => {
    const f = await ws.lease('SW-PREMIUM');
    if (f.kind !== 'held') return null;
    const jti = JSON.parse(Buffer.from(f.lease.token.split('.')[1]!, 'base64url').toString()).jti as string;
    return jti !== notJti ? { kid: tokenKid(f.lease.token), jti, token: f.lease.token } : null;
  }, 20_000, 50);
}

/** Waits until the agent holds exactly these kids. */
const keysAre = (ws: Workstation, kids: string[]) =>
  until(`${ws.name} holds the keys ${kids.join(', ')}`, () => {
    const set = readLeaseKeysSync(ws.paths);
    return !!set && JSON.stringify(set.keys.map((k) => k.kid).sort()) === JSON.stringify([...kids].sort());
  }, 30_000, 100);

describe('rotate-lease-key on a running cluster of two nodes', () => {
  it('keeps old leases valid for the overlap, signs new ones with the new key on every node, and retires the old key', async () => {
    const org = await cluster.orgOn(5);
    const [a, b] = await Promise.all([cluster.startNode(org.databaseUrl), cluster.startNode(org.databaseUrl)]);
    const o = await cluster.setUp(org, a!);
    const people = [await o.member(), await o.member()];
    const stations = [await cluster.station('on-a'), await cluster.station('on-b')];
    // One agent talks to node A, the other to node B.
    for (const [ws, first, second] of [[stations[0]!, a!, b!], [stations[1]!, b!, a!]] as const) {
      const r = await until('the node knows the enrollment token', async () => {
        const run = await ws.run(['enroll', '--server', first.url, '--server', second.url, '--token', o.token, '--json']);
        return run.code === 0 && run;
      }, 20_000, 200);
      ws.deviceId = JSON.parse(r.stdout).deviceId;
      await ws.start();
    }
    const [onA, onB] = stations as [Workstation, Workstation];
    await onA.login(activateOn(a!, people[0]!.client));
    await onB.login(activateOn(b!, people[1]!.client));
    const assignments: string[] = [];
    for (const p of people) {
      const r = await o.admin.post(`${o.base}/assignments`, { lineId: o.lineId, accountId: p.accountId });
      expect(r.status).toBe(201);
      assignments.push(r.body.id as string);
    }
    const first = await heldKid(onA);
    const firstB = await heldKid(onB);
    expect(first.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(firstB.kid).toBe(first.kid);
    const k1 = first.kid!;
    // Protocol 4: both agents were given the key set after welcome.
    await keysAre(onA, [k1]);
    await keysAre(onB, [k1]);

    const rotated = await cluster.serverCommand(['rotate-lease-key', '--database', org.databaseUrl, '--data', await cluster.tempDir()]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const k2 = /New lease key (\S+) signs/.exec(rotated.stdout)?.[1];
    expect(k2).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(k2).not.toBe(k1);
    expect(rotated.stdout).toContain(`Key ${k1} stays valid until`);
    // Each node read the new set and pushed it to its agent.
    await keysAre(onA, [k1, k2!]);
    await keysAre(onB, [k1, k2!]);
    // During the overlap the lease signed with the old key still checks.
    expect((await onA.check('SW-PREMIUM')).json).toMatchObject({ mayRun: true });
    expect((await onB.check('SW-PREMIUM')).json).toMatchObject({ mayRun: true });

    // A new lease for the agent on node A (assignment made again on node B): signed with the new key.
    expect((await on(b!, o.admin).req('DELETE', `${o.base}/assignments/${assignments[0]}`)).status).toBe(200);
    await onA.waitLease('SW-PREMIUM', 'revoked', 20_000);
    expect((await on(b!, o.admin).post(`${o.base}/assignments`, { lineId: o.lineId, accountId: people[0]!.accountId })).status).toBe(201);
    const renewed = await heldKid(onA, first.jti);
    expect(renewed.kid).toBe(k2);
    expect((await onA.check('SW-PREMIUM')).json).toMatchObject({ mayRun: true });

    // The old key retired now (a rotation with no overlap): the agent on node B still holds a lease
    // signed with it, and node B signs it again with the newest key.
    const oldToken = await readFile(onB.paths.lease('SW-PREMIUM'), 'utf8');
    const retired = await cluster.serverCommand(['rotate-lease-key', '--overlap-hours', '0', '--database', org.databaseUrl, '--data', await cluster.tempDir()]);
    expect(retired.code, retired.stderr).toBe(0);
    const k3 = /New lease key (\S+) signs/.exec(retired.stdout)?.[1];
    await keysAre(onA, [k3!]);
    await keysAre(onB, [k3!]);
    const resignedB = await until('node B signs the lease again', async () => {
      const h = await heldKid(onB);
      return h.kid === k3 && h;
    }, 20_000, 100);
    expect(resignedB.jti).toBe(firstB.jti);
    const resignedA = await until('node A signs the lease again', async () => {
      const h = await heldKid(onA);
      return h.kid === k3 && h;
    }, 20_000, 100);
    expect(resignedA.jti).toBe(renewed.jti);
    expect((await onB.check('SW-PREMIUM')).json).toMatchObject({ mayRun: true });
    // The lease as the old key signed it no longer verifies.
    await onB.stop();
    await writeFile(onB.paths.lease('SW-PREMIUM'), oldToken);
    expect((await onB.check('SW-PREMIUM')).json).toMatchObject({ mayRun: false, reason: 'tampered' });
  }, 240_000);
});
