// `npm start`: a Seatkeeper to look at. Starts the server on the embedded store (./data unless
// SEATKEEPER_DATA says otherwise), fills it with a demo organization the first time, enrolls a
// local agent with a fake SOLIDWORKS and AutoCAD install, runs it, and prints where to look.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readConfig } from '../agent/state/config.js';
import { statePaths } from '../agent/state/paths.js';
import { startServer } from '../server/app.js';
import { mailFromEnv } from '../server/mail/config-from-env.js';
import { hashSecret, newSecret } from '../server/core/ids.js';
import { hashPassword } from '../server/core/password.js';
import { createOrganization } from '../server/ops/create-organization.js';
import type { Services } from '../server/core/services.js';
import type { Account } from '../server/domain/model.js';
import { auditEvent } from '../server/domain/audit.js';
import { applyAssign, planAssign } from '../server/domain/assignments.js';
import { applyClaim, planClaim } from '../server/domain/claim.js';
import { applyAccept, applyInvite, planAccept, planInvite } from '../server/domain/invitations.js';
import { applyTeamContract, applyTeamMembership, planTeamContract, planTeamMembership, requireTeamNameFree } from '../server/domain/teams.js';
import { webDirDefault } from '../server/http/web-dir.js';
import { portTakenMessage } from '../server/ops/port-taken.js';

const ADMIN = { email: 'admin@acme.example', password: 'seatkeeper-demo', name: 'Dana Admin' };
const SERIAL = 'SW-4X2K-9QZM-7HPL';
const ACAD_SERIAL = 'ACAD-5512-8830-1174';

const people = [
  { email: 'lee.chen@acme.example', name: 'Lee Chen', products: ['SW-PREMIUM', 'BIM-COLLAB'] },
  { email: 'ana.souza@acme.example', name: 'Ana Souza', products: ['SW-PRO', 'REVIT'] },
  { email: 'sam.okafor@acme.example', name: 'Sam Okafor', products: ['SW-PRO', 'MYSW-PRO'] },
  { email: 'mia.novak@acme.example', name: 'Mia Novak', products: ['REVIT', 'BIM-COLLAB'] },
];

/**
 * The demo organization, made the way people make one, through the same domain rules and with
 * the same audit events as the API: the admin links by serial and claims it, assigns a seat,
 * creates a project team, and invites the engineers, who accept.
 */
async function seed(s: Services): Promise<string> {
  const existing = s.store.orgIds()[0];
  if (existing) return existing;
  const orgId = await createOrganization(s, {
    name: 'Acme Engineering',
    aliasDomains: ['acme.example', 'acme-eng.example'],
    contracts: [
      {
        number: 'C-2026-0042',
        serials: [SERIAL],
        lines: [
          { productCode: 'SW-PREMIUM', seats: 5, method: 'named-user' },
          { productCode: 'SW-PRO', seats: 12, method: 'named-user' },
          { productCode: 'MYSW-PRO', seats: 25, method: 'named-user' },
        ],
      },
      {
        number: 'ADSK-118-7730',
        serials: [ACAD_SERIAL],
        lines: [
          { productCode: 'ACAD', seats: 8, method: 'serial' },
          { productCode: 'REVIT', seats: 4, method: 'named-user' },
          { productCode: 'BIM-COLLAB', seats: 6, method: 'named-user' },
        ],
      },
    ],
  });
  const now = s.clock();
  const adminHash = await hashPassword(ADMIN.password);
  const memberHash = await hashPassword('engineer-demo');
  await s.store.tx((t) => {
    const g = t.global();
    const doc = t.org(orgId)!;
    const audit = (actor: string, action: string, target: string, before: unknown, after: unknown) => t.audit(auditEvent(s.ids, now, orgId, actor, action, target, before, after));
    const lineOf = (code: string) => Object.values(doc.contracts).flatMap((c) => c.lines).find((l) => l.productCode === code)!;

    // The admin registers with the contract's serial and claims the organization.
    const admin: Account = { id: s.ids('acc'), email: ADMIN.email, aliases: [], name: ADMIN.name, passwordHash: adminHash, status: 'active', createdAt: now };
    g.accounts[admin.id] = admin;
    doc.members[admin.id] = { accountId: admin.id, role: 'member', joinedAt: now };
    audit(admin.id, 'member.link', admin.id, null, { email: admin.email, via: 'serial' });
    applyClaim(doc, planClaim(doc, admin.id, { confirmOrgName: doc.org.name, acceptTerms: true, responsibleForLicenses: true }, now));
    audit(admin.id, 'org.claim', orgId, { claimedBy: null }, { claimedBy: admin.id });

    const seat = planAssign(doc, { actorId: admin.id, lineId: lineOf('SW-PREMIUM').id, accountId: admin.id, now, id: s.ids('asg') });
    applyAssign(doc, seat);
    audit(admin.id, 'assignment.create', seat.added.id, null, { ...seat.added, productCode: seat.ref.line.productCode, contractId: seat.ref.contract.id, contractNumber: seat.ref.contract.number });

    // The project team of BIM Collaborate: attached to the Autodesk contract, the admin in it.
    const teamId = s.ids('tea');
    requireTeamNameFree(doc, 'Structural');
    doc.teams[teamId] = { id: teamId, name: 'Structural', memberIds: [], adminIds: [], contractIds: [], createdAt: now };
    audit(admin.id, 'team.create', teamId, null, { name: 'Structural' });
    const bim = Object.values(doc.contracts).find((c) => c.number === 'ADSK-118-7730')!;
    const attach = planTeamContract(doc, teamId, bim.id, true)!;
    applyTeamContract(doc, attach);
    audit(admin.id, 'team.contract.attach', teamId, { contractId: bim.id, attached: false }, { contractId: bim.id, attached: true });
    const join = planTeamMembership(doc, admin.id, teamId, admin.id, true)!;
    applyTeamMembership(doc, join);
    audit(admin.id, 'team.member.add', teamId, null, { accountId: admin.id });

    // The engineers are invited with their products (and the team, for BIM Collaborate) and accept.
    for (const p of people) {
      const inv = planInvite(doc, {
        actorId: admin.id,
        body: { email: p.email, role: 'member', lineIds: p.products.map((code) => lineOf(code).id), ...(p.products.includes('BIM-COLLAB') ? { teamId } : {}) },
        memberAccountId: undefined,
        id: s.ids('inv'),
        tokenHash: hashSecret(newSecret('ski')),
        now,
        ttlMs: s.config.invitationTtlSeconds * 1000,
      });
      applyInvite(doc, inv);
      audit(admin.id, 'invitation.create', inv.id, null, inv);
      const accountId = s.ids('acc');
      const accepted = planAccept(doc, g.accounts, {
        invitationId: inv.id,
        tokenHash: inv.tokenHash,
        acceptor: { accountId, create: { name: p.name, passwordHash: memberHash, existing: false } },
        now,
        newAssignmentId: () => s.ids('asg'),
      });
      applyAccept(doc, g.accounts, accepted, now);
      audit(accountId, 'invitation.accept', inv.id, { status: 'pending' }, { status: 'accepted', accountId, created: true });
      audit(accountId, 'member.join', accountId, null, { email: p.email, role: accepted.role, via: 'invitation', invitationId: inv.id });
      if (accepted.teamId && accepted.joinsTeam) audit(accountId, 'team.member.add', accepted.teamId, null, { accountId, via: 'invitation' });
      for (const a of accepted.assigned) {
        audit(accountId, 'assignment.create', a.assignmentId, null, { lineId: a.lineId, accountId, productCode: a.productCode, via: 'invitation', invitationId: inv.id });
      }
    }
  });
  return orgId;
}

function createEnrollmentToken(s: Services, orgId: string, adminId: string): Promise<string> {
  const token = newSecret('ske');
  const now = s.clock();
  return s.store
    .tx((t) => {
      const doc = t.org(orgId)!;
      const id = s.ids('enr');
      doc.enrollmentTokens[id] = {
        id,
        name: 'demo workstation',
        tokenHash: hashSecret(token),
        createdBy: adminId,
        createdAt: now,
        expiresAt: now + 3600_000,
        revokedAt: null,
        uses: 0,
      };
      t.audit(auditEvent(s.ids, now, orgId, adminId, 'enrollment-token.create', id, null, { name: 'demo workstation', expiresAt: now + 3600_000 }));
    })
    .then(() => token);
}

/** A fake SOLIDWORKS Premium and an AutoCAD activated with the contract's serial. */
function layFakeInstall(root: string): void {
  const sw = join(root, 'opt/dassault/solidworks-premium/2025');
  mkdirSync(join(sw, 'bin'), { recursive: true });
  mkdirSync(join(sw, 'license'), { recursive: true });
  writeFileSync(join(sw, 'bin/sldworks'), '#!/bin/sh\n');
  writeFileSync(join(sw, 'VERSION'), '2025 SP2\n');
  const acad = join(root, 'opt/autodesk/autocad-2025');
  mkdirSync(join(acad, 'bin'), { recursive: true });
  mkdirSync(join(acad, 'adlm'), { recursive: true });
  writeFileSync(join(acad, 'bin/acad'), '#!/bin/sh\n');
  writeFileSync(join(acad, 'VERSION'), '25.0\n');
  writeFileSync(join(acad, 'adlm/serial.txt'), `${ACAD_SERIAL}\n`);
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.SEATKEEPER_DATA ?? './data');
  const server = await startServer({
    dataDir,
    port: Number(process.env.PORT ?? 8080),
    host: process.env.HOST ?? '127.0.0.1',
    mail: mailFromEnv(process.env, dataDir),
    logLevel: process.env.SEATKEEPER_LOG_LEVEL ?? 'warn',
    webDir: webDirDefault(),
    publicUrl: process.env.SEATKEEPER_PUBLIC_URL,
  });
  const s = server.services;
  const orgId = await seed(s);
  const admin = Object.values(s.store.global().accounts).find((a) => a.email === ADMIN.email)!;

  let agent: ChildProcess | undefined;
  if (process.env.SEATKEEPER_DEMO_AGENT !== '0') agent = await startLocalAgent(s, server.url, orgId, admin.id);

  process.stdout.write(
    [
      '',
      `  Seatkeeper is running: ${server.url}`,
      `  Sign in as ${ADMIN.email} / ${ADMIN.password} (owner of Acme Engineering)`,
      `  Members sign in with <name>@acme.example / engineer-demo; register with serial ${SERIAL}`,
      `  Data: ${dataDir}    Mail outbox: ${join(dataDir, 'outbox')}`,
      agent ? '  A local agent (fake SOLIDWORKS Premium + AutoCAD) is connected as a live workstation.' : '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  const stop = () => {
    agent?.kill('SIGTERM');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function startLocalAgent(s: Services, url: string, orgId: string, adminId: string): Promise<ChildProcess | undefined> {
  const home = resolve(process.env.SEATKEEPER_DEMO_AGENT_HOME ?? './.agent-demo');
  const stateDir = join(home, 'state');
  const root = join(home, 'root');
  const agentJs = resolve('dist/agent.cjs');
  const env = { ...process.env, SEATKEEPER_MACHINE_ID: 'demo-workstation-0001' };
  layFakeInstall(root);
  // The device this agent is: from its state when it enrolled on an earlier run, else from enrolling now.
  let deviceId = (await readConfig(statePaths(stateDir)).catch(() => null))?.deviceId;
  // A fresh data directory does not know a device left in the agent's state from before: enroll again.
  const known = deviceId !== undefined && !!s.store.org(orgId)?.devices[deviceId];
  if (!known) {
    const token = await createEnrollmentToken(s, orgId, adminId);
    // Asynchronously: the server answering the enrollment runs in this very process.
    try {
      const args = [agentJs, 'enroll', '--server', url, '--token', token, '--state-dir', stateDir, '--root', root, '--json', ...(deviceId ? ['--force'] : [])];
      const { stdout } = await promisify(execFile)(process.execPath, args, { env });
      deviceId = (JSON.parse(stdout) as { deviceId: string }).deviceId;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      process.stderr.write(`The demo agent could not enroll: ${e.stderr || e.message}\n`);
      return undefined;
    }
  }
  // The demo workstation is signed in as the demo admin, as if they had entered the agent's code.
  const device = deviceId ? s.store.org(orgId)?.devices[deviceId] : undefined;
  if (device && !device.signedInAccountId) {
    const now = s.clock();
    await s.store.tx((t) => {
      t.org(orgId)!.devices[device.id]!.signedInAccountId = adminId;
      t.audit(auditEvent(s.ids, now, orgId, adminId, 'device.sign-in', device.id, { signedInAccountId: null }, { signedInAccountId: adminId }));
    });
  }
  const child = spawn(process.execPath, [agentJs, 'run', '--state-dir', stateDir], { env, stdio: 'ignore' });
  return child;
}

main().catch((err: unknown) => {
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`seatkeeper demo: ${portTakenMessage('npm start', err as Error)}\n`);
    process.exit(1);
  }
  process.stderr.write(`seatkeeper demo: ${(err as Error).message}\n`);
  process.exit(1);
});
