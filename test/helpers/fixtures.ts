// Quick fixtures written straight into the store, for tests that need many members or a team
// without going through (slow, scrypt-hashing) registration or routes owned by other tests.
import type { ServerHandle } from '../../server/app.js';
import { hashSecret, newSecret } from '../../server/core/ids.js';
import type { Role, Team } from '../../server/domain/model.js';
import { Client } from './client.js';

let n = 0;

/** Adds `count` active accounts as members of the organization; returns their ids and emails. */
export async function addMembers(server: ServerHandle, orgId: string, count: number, role: Role = 'member') {
  const s = server.services;
  const now = s.clock();
  const people = Array.from({ length: count }, () => {
    const k = `${process.pid}.${++n}`;
    return { id: s.ids('acc'), email: `member.${k}@acme.test`, name: `Member ${k}` };
  });
  await s.store.tx((t) => {
    const g = t.global();
    const doc = t.org(orgId)!;
    for (const p of people) {
      g.accounts[p.id] = { id: p.id, email: p.email, aliases: [], name: p.name, passwordHash: null, status: 'active', createdAt: now };
      doc.members[p.id] = { accountId: p.id, role, joinedAt: now };
    }
  });
  return people;
}

/** A client signed in as `accountId` with a fresh API token (no password needed). */
export async function clientFor(server: ServerHandle, accountId: string): Promise<Client> {
  const token = newSecret('skt');
  const now = server.services.clock();
  await server.services.store.tx((t) => {
    t.global().apiTokens[hashSecret(token)] = { id: server.services.ids('tok'), accountId, name: 'test', createdAt: now, lastUsedAt: null };
  });
  const c = new Client(server.url);
  c.bearer = token;
  return c;
}

/** Creates a team in the organization directly. */
export async function addTeam(server: ServerHandle, orgId: string, team: Partial<Omit<Team, 'id'>>): Promise<string> {
  const id = server.services.ids('team');
  const now = server.services.clock();
  await server.services.store.tx((t) => {
    t.org(orgId)!.teams[id] = { id, name: team.name ?? `Team ${id}`, memberIds: team.memberIds ?? [], adminIds: team.adminIds ?? [], contractIds: team.contractIds ?? [], createdAt: now };
  });
  return id;
}
