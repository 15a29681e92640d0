// Bulk import from a spreadsheet (members or seat assignments), in chunks of rows: a dry run plans
// on a copy and writes nothing; otherwise the chunk is planned and applied in one synchronous store
// transaction, then agents, the feed and mail hear of what changed. Rules: domain/import.ts.
import { ImportBody, type ImportReply } from '../../../shared/api/import.js';
import { auditEvent } from '../../domain/audit.js';
import { importRows, type ImportEffect, type ImportEnv } from '../../domain/import.js';
import { memberEmails } from '../../domain/email-match.js';
import { productName } from '../../domain/assignments.js';
import { sendInvitationMail } from '../../mail/invitation-mail.js';
import { seatGiven, mailPermissionsChanged } from '../../mail/permissions-mail.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import type { Services } from '../../core/services.js';
import type { Account, Invitation } from '../../domain/model.js';
import type { Router } from '../router.js';
import { seatLimitsReached } from '../../domain/webhooks.js';
import { announceSeatLimits } from './webhooks.js';

/** Mails go out a few at a time: a 5,000-row import must not open 5,000 connections at once. */
const MAIL_CONCURRENCY = 16;

function accountIndex(s: Services): Map<string, Account> {
  const m = new Map<string, Account>();
  for (const a of Object.values(s.store.global().accounts)) {
    m.set(a.email, a);
    for (const al of a.aliases) if (!m.has(al)) m.set(al, a);
  }
  return m;
}

function auditOf(s: Services, orgId: string, actorId: string, now: number, e: ImportEffect) {
  switch (e.kind) {
    case 'assign':
      return auditEvent(s.ids, now, orgId, actorId, 'assignment.create', e.assignment.id, null, {
        ...e.assignment,
        productCode: e.ref.line.productCode,
        contractId: e.ref.contract.id,
        contractNumber: e.ref.contract.number,
        via: 'import',
      });
    case 'role':
      return auditEvent(s.ids, now, orgId, actorId, 'role.change', e.accountId, { role: e.before }, { role: e.after, via: 'import' });
    case 'team':
      return auditEvent(s.ids, now, orgId, actorId, 'team.member.add', e.plan.teamId, null, { accountId: e.plan.accountId, via: 'import' });
    case 'invite': {
      const { tokenHash: _secret, ...inv } = e.invitation;
      return auditEvent(s.ids, now, orgId, actorId, 'invitation.create', inv.id, null, { ...inv, via: 'import' });
    }
  }
}

async function inBatches<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(fn));
}

/** After the commit: agents recompute rights, the feed hears once, people get their mail. */
async function announce(s: Services, orgId: string, actor: Account, now: number, effects: ImportEffect[][]): Promise<void> {
  const doc = s.store.org(orgId)!;
  const flat = effects.flat();
  const rightsOf = new Set<string>();
  const mails = new Map<string, string[]>();
  const invites: Array<{ inv: Invitation; token: string }> = [];
  const say = (id: string, line: string) => (mails.get(id) ?? mails.set(id, []).get(id)!).push(line);
  for (const e of flat) {
    if (e.kind === 'assign') {
      rightsOf.add(e.assignment.accountId);
      say(e.assignment.accountId, seatGiven(`${productName(doc, e.ref)} (contract ${e.ref.contract.number})`, e.ref.line.method));
    } else if (e.kind === 'role') say(e.accountId, `Your role changed from ${e.before} to ${e.after}.`);
    else if (e.kind === 'team') {
      if (e.plan.projectLines.length) rightsOf.add(e.plan.accountId);
      say(e.plan.accountId, `You were added to the team ${e.plan.teamName}.`);
    } else invites.push({ inv: e.invitation, token: e.token });
  }
  if (rightsOf.size) s.gateway.rightsChanged({ orgId, accountIds: [...rightsOf] });
  if (flat.length) s.events.emit('feed', { orgId, at: now, kind: 'member', text: `${actor.email} imported ${effects.length} row(s) from a file.` });
  await inBatches([...mails], MAIL_CONCURRENCY, ([id, lines]) => mailPermissionsChanged(s, id, doc.org.name, lines));
  // Like the invitations route: a mail that could not be sent shows as "mail not sent", with resend.
  await inBatches(invites, MAIL_CONCURRENCY, async ({ inv, token }) => {
    await sendInvitationMail(s, doc, inv, token, actor);
  });
}

export function registerImportRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/import',
    access: 'admin',
    body: ImportBody,
    summary: 'Import members or seat assignments (rows of a spreadsheet, ≤ 1000 per call); dryRun plans and writes nothing. Idempotent.',
    async handler({ s, org, account, body }): Promise<ImportReply> {
      const now = s.clock();
      const accounts = accountIndex(s);
      const env: ImportEnv = {
        actorId: account.id,
        now,
        ids: s.ids,
        accountByEmail: (email) => accounts.get(email),
        memberEmails: memberEmails(org.doc, s.store.global().accounts),
        invitationTtlMs: s.config.invitationTtlSeconds * 1000,
        newToken: () => {
          const token = newSecret('ski');
          return { token, hash: hashSecret(token) };
        },
      };
      const reply = (o: ReturnType<typeof importRows>): ImportReply => ({
        dryRun: body.dryRun,
        results: o.results,
        counts: {
          done: o.results.filter((x) => x.status === 'done').length,
          unchanged: o.results.filter((x) => x.status === 'unchanged').length,
          refused: o.results.filter((x) => x.status === 'refused').length,
        },
        seats: o.seats,
      });
      if (body.dryRun) return reply(importRows(structuredClone(org.doc), env, body.kind, body.rows));
      const outcome = await s.store.tx((t) => {
        const o = importRows(structuredClone(s.store.org(org.id)!), env, body.kind, body.rows, t.org(org.id)!);
        for (const row of o.effects) for (const e of row) t.audit(auditOf(s, org.id, account.id, now, e));
        return { ...o, limits: seatLimitsReached(t.org(org.id)!, o.effects.flat().flatMap((e) => (e.kind === 'assign' ? [e.ref.line.id] : []))) };
      });
      await announce(s, org.id, account, now, outcome.effects);
      announceSeatLimits(s, org.id, now, outcome.limits);
      return reply(outcome);
    },
  });
}
