// `seatkeeper-server orgs add|list|remove`: through the server running on the data directory when
// there is one (DATA/operator.json names it), so nothing it holds in memory is overwritten;
// otherwise offline, under the data directory's lock, as before.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { OperatorOrganizationInput, type OperatorOrgEntry } from '../../shared/api/operator.js';
import { SeatkeeperError } from '../../shared/errors.js';
import type { Services } from '../core/services.js';
import { createOrganization } from './create-organization.js';
import { listOrganizations } from './list-organizations.js';
import { callOperator, OperatorRefusal } from './operator-file.js';
import { removeOrganization } from './remove-organization.js';

export interface OrgsArgs {
  sub: 'add' | 'list' | 'remove';
  file?: string;
  orgId?: string;
  confirm?: string;
  json: boolean;
}

type Outcome = { orgId: string } | { orgs: OperatorOrgEntry[] } | { removed: string };

class Refused extends Error {}

const say = (text: string) => process.stdout.write(`${text}\n`);

/** Runs the command; returns the exit code (0 done, 1 refused). */
export async function orgsCommand(args: OrgsArgs, dataDir: string, startOffline: () => Promise<{ services: Services; close(): Promise<void> }>): Promise<number> {
  try {
    let input: OperatorOrganizationInput | undefined;
    if (args.sub === 'add') input = await readOrgFile(args.file!);
    const online = await viaServer(args, dataDir, input);
    const outcome = online ?? (await offline(args, input, startOffline));
    if ('orgId' in outcome) say(outcome.orgId);
    else if ('removed' in outcome) say(`Removed ${outcome.removed}: its serials are released and nobody can reach it; its data and audit log are kept.`);
    else if (args.json) say(JSON.stringify(outcome.orgs, null, 2));
    else if (outcome.orgs.length === 0) say('No organizations.');
    else for (const o of outcome.orgs) say(`${o.id}  ${o.name}  serials: ${o.serials.join(', ') || '-'}  ${o.claimed ? 'claimed' : 'unclaimed'}  members: ${o.members}`);
    return 0;
  } catch (e) {
    if (e instanceof Refused || e instanceof SeatkeeperError) {
      process.stderr.write(`seatkeeper-server orgs ${args.sub}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

async function readOrgFile(file: string): Promise<OperatorOrganizationInput> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Refused(`${file}: ${(e as Error).message}`);
  }
  const r = OperatorOrganizationInput.safeParse(raw);
  if (!r.success) throw new Refused(`${file}: ${z.prettifyError(r.error)}`);
  return r.data;
}

/** undefined: no server runs on the data directory. */
async function viaServer(args: OrgsArgs, dataDir: string, input: OperatorOrganizationInput | undefined): Promise<Outcome | undefined> {
  const base = '/api/v1/operator/orgs';
  const [path, init] =
    args.sub === 'add'
      ? [base, { method: 'POST', body: input }]
      : args.sub === 'remove'
        ? [`${base}/${encodeURIComponent(args.orgId!)}?confirm=${encodeURIComponent(args.confirm!)}`, { method: 'DELETE' }]
        : [base, { method: 'GET' }];
  let body: { orgId?: string; orgs?: OperatorOrgEntry[] } | undefined;
  try {
    body = await callOperator(dataDir, path, init);
  } catch (e) {
    throw e instanceof OperatorRefusal ? new Refused(e.message) : e;
  }
  if (!body) return undefined;
  if (args.sub === 'add') return { orgId: body.orgId! };
  if (args.sub === 'remove') return { removed: args.orgId! };
  return { orgs: body.orgs ?? [] };
}

async function offline(args: OrgsArgs, input: OperatorOrganizationInput | undefined, start: () => Promise<{ services: Services; close(): Promise<void> }>): Promise<Outcome> {
  const server = await start();
  try {
    const s = server.services;
    if (args.sub === 'add') {
      return { orgId: await createOrganization(s, input!) };
    }
    if (args.sub === 'remove') {
      await removeOrganization(s, args.orgId!, args.confirm!);
      return { removed: args.orgId! };
    }
    return { orgs: listOrganizations(s) };
  } finally {
    await server.close();
  }
}
