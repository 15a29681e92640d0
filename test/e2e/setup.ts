// The server side of the end-to-end stories: a real server (small heartbeat) with an
// organization, its owner, members that can sign in on workstations, and an enrollment token.
import { afterAll, beforeAll } from 'vitest';
import type { ServerConfig } from '../../server/core/config.js';
import { owner, type Client } from '../helpers/client.js';
import { addMembers, clientFor } from '../helpers/fixtures.js';
import { seedOrg, startTestServer, type TestServer } from '../helpers/server.js';
import type { OrganizationInput } from '../../server/ops/create-organization.js';
import { ensureAgentBundle, Workstation } from './workstation.js';

export const E2E_CONFIG: Partial<ServerConfig> = { heartbeatSeconds: 0.5, agents: { resendAfterMs: 500, switchCheckMs: 200 } };

export function startE2EServer(over: Partial<ServerConfig> = {}): Promise<TestServer> {
  return startTestServer({ ...E2E_CONFIG, ...over });
}

/**
 * A story file's server and workstations: the agent bundle is built and the server started before
 * its tests; every workstation made with `station` and then the server are disposed after them.
 */
export function e2eSuite(): { readonly server: TestServer; station(name: string): Promise<Workstation> } {
  let server: TestServer | undefined;
  const stations: Workstation[] = [];
  beforeAll(async () => {
    await ensureAgentBundle();
    server = await startE2EServer();
  });
  afterAll(async () => {
    for (const w of stations) await w.dispose();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the e2e server is not started yet (use it inside a test)');
      return server;
    },
    async station(name) {
      const ws = await Workstation.create(name);
      stations.push(ws);
      return ws;
    },
  };
}

export interface Person {
  id: string;
  email: string;
  client: Client;
}

export async function e2eOrg(server: TestServer, over: Partial<OrganizationInput> = {}) {
  const org = await seedOrg(server, over);
  const admin = await owner(server.url, org);
  const base = `/api/v1/orgs/${org.orgId}`;
  const token = await admin.client.post(`${base}/enrollment-tokens`, { name: 'e2e', expiresInHours: 1 });
  if (token.status !== 201) throw new Error(`enrollment token: ${token.status}`);
  /** `n` new members with API clients; `on` is the server to write them to (after a restart, the new one). */
  const people = async (n: number, on: TestServer = server): Promise<Person[]> =>
    Promise.all((await addMembers(on, org.orgId, n)).map(async (p) => ({ ...p, client: await clientFor(on, p.id) })));
  /** What a person does in the portal with the code their workstation shows. */
  const activate = (p: Person) => async (userCode: string) => {
    const r = await p.client.post('/api/v1/device-codes/activate', { userCode });
    if (r.status !== 200) throw new Error(`activate as ${p.email}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  return { ...org, base, admin: admin.client, token: token.body.token as string, people, activate };
}
