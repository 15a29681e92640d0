// Replays a flood of sign-in codes: workstations of one organization asking for codes nobody will
// type. Each waiting code costs memory (and a database row on several nodes); past the
// organization's limit a further `login.start` is refused with an error frame, while a device
// asking again (its old code replaced) and another organization's devices still get theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, testLimits, type TestServer } from '../helpers/server.js';
import { enrollDevice, orgWithToken, RawAgent } from '../gateway/raw-agent.js';

let server: TestServer;
const sockets: RawAgent[] = [];

beforeAll(async () => {
  server = await startTestServer({ limits: { ...testLimits, deviceCodesPendingPerOrg: 2 } });
});
afterAll(async () => {
  for (const a of sockets) a.close();
  await server.stop();
});

async function workstation(org: Awaited<ReturnType<typeof orgWithToken>>) {
  const dev = await enrollDevice(server.url, org.token);
  const a = await RawAgent.connect(server.url);
  sockets.push(a);
  await a.authenticate(dev);
  return a;
}

describe('a flood of sign-in codes', () => {
  it('stops at the organization limit with RATE_LIMITED, and harms neither a device asking again nor another organization', async () => {
    const org = await orgWithToken(server);
    const [one, two, three] = [await workstation(org), await workstation(org), await workstation(org)];
    one.send({ type: 'login.start', id: 'c1' });
    expect((await one.next('login.code')).userCode).toMatch(/-/);
    two.send({ type: 'login.start', id: 'c2' });
    expect((await two.next('login.code')).userCode).toMatch(/-/);
    three.send({ type: 'login.start', id: 'c3' });
    expect(await three.next('error')).toMatchObject({ code: 'RATE_LIMITED', ref: 'c3' });
    expect(three.all('login.code')).toEqual([]);

    // A device asking again replaces its own code: the organization is no fuller for it.
    one.send({ type: 'login.start', id: 'c1b' });
    expect((await one.next('login.code')).userCode).toMatch(/-/);

    const other = await orgWithToken(server);
    const elsewhere = await workstation(other);
    elsewhere.send({ type: 'login.start', id: 'e1' });
    expect((await elsewhere.next('login.code')).userCode).toMatch(/-/);
  });
});
