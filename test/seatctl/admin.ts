// A real server with an owned organization and an API token for its owner: what seatctl tests start from.
import type { Client } from '../helpers/client.js';
import { ownedOrg, startTestServer, type TestServer } from '../helpers/server.js';
import { Seatctl } from './run-seatctl.js';

export interface Admin {
  server: TestServer;
  orgId: string;
  owner: Client;
  ownerId: string;
  token: string;
  line: (code: string) => { id: string };
  /** seatctl logged in with the owner's token */
  ctl: Seatctl;
}

export async function adminSetup(): Promise<Admin> {
  const server = await startTestServer();
  const { org, o } = await ownedOrg(server);
  const t = await o.client.post('/api/v1/me/tokens', { name: 'seatctl tests' });
  if (t.status !== 201) throw new Error(`token: ${t.status}`);
  const ctl = await Seatctl.create();
  const login = await ctl.run(['login', '--server', server.url, '--token', t.body.token]);
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
  return { server, orgId: org.orgId, owner: o.client, ownerId: o.accountId, token: t.body.token, line: (c) => org.line(c), ctl };
}
