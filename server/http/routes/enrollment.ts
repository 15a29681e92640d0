// Enrollment: admins issue expiring, revocable tokens; a workstation trades one (with its public
// key) for a device identity and the server's lease key.
import { SeatkeeperError } from '../../../shared/errors.js';
import { AGENT_ENROLL_PATH, AgentEnrollBody, type AgentEnrollReply } from '../../../shared/api/agent-enroll.js';
import { CreateEnrollmentTokenBody, type CreatedEnrollmentToken, type EnrollmentTokenView } from '../../../shared/api/enrollment.js';
import { auditEvent } from '../../domain/audit.js';
import { findDeviceByMachine, machineIdHash } from '../../domain/devices.js';
import { enrollmentRefusal, type EnrollmentRefusal } from '../../domain/enrollment-tokens.js';
import { agentSettings } from '../../domain/agent-settings.js';
import { AGENT_SOCKET_PATH } from '../../../shared/protocol/version.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import type { Services } from '../../core/services.js';
import type { Device, EnrollmentToken, OrgDoc } from '../../domain/model.js';
import type { Router } from '../router.js';

function tokenView(t: EnrollmentToken, now: number): EnrollmentTokenView {
  const refusal = enrollmentRefusal(t, now);
  const status = refusal === 'used-up' ? 'used-up' : (refusal ?? 'active');
  return { id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, uses: t.uses, maxUses: t.maxUses ?? null, status };
}

export function agentSocketUrl(s: Services): string {
  const u = new URL(s.publicUrl());
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${AGENT_SOCKET_PATH}`;
  return u.toString();
}

/** The organization and token an enrollment secret belongs to, usable or not. */
function findToken(s: Services, secret: string): { doc: OrgDoc; token: EnrollmentToken } | undefined {
  const h = hashSecret(secret);
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    if (doc.org.removedAt) continue; // removed by the operator: its tokens enroll nothing
    const token = Object.values(doc.enrollmentTokens).find((t) => t.tokenHash === h);
    if (token) return { doc, token };
  }
  return undefined;
}

class Refused extends Error {
  constructor(readonly reason: EnrollmentRefusal) {
    super(reason);
  }
}

export function registerEnrollmentRoutes(r: Router): void {
  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/enrollment-tokens',
    access: 'admin',
    body: CreateEnrollmentTokenBody,
    status: 201,
    summary: 'Create an enrollment token for workstations; the secret and an install command are shown once.',
    async handler({ s, org, account, body }): Promise<CreatedEnrollmentToken> {
      const secret = newSecret('ske');
      const now = s.clock();
      const token: EnrollmentToken = {
        id: s.ids('enr'),
        name: body.name,
        tokenHash: hashSecret(secret),
        createdBy: account.id,
        createdAt: now,
        expiresAt: now + Math.round(body.expiresInHours * 3600 * 1000),
        revokedAt: null,
        uses: 0,
        maxUses: body.maxUses ?? s.config.limits.enrollmentTokenMaxUses,
      };
      await s.store.tx((t) => {
        t.org(org.id)!.enrollmentTokens[token.id] = token;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'enrollment-token.create', token.id, null, { name: token.name, expiresAt: token.expiresAt, maxUses: token.maxUses }));
      });
      return {
        ...tokenView(token, now),
        token: secret,
        installCommand: `seatkeeper-agent enroll --server ${s.publicUrl()} --token ${secret} && seatkeeper-agent install-service`,
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/enrollment-tokens',
    access: 'admin',
    summary: 'List enrollment tokens (never their secrets), newest first.',
    handler: ({ s, org }) => {
      const now = s.clock();
      return { tokens: Object.values(org.doc.enrollmentTokens).sort((a, b) => b.createdAt - a.createdAt).map((t) => tokenView(t, now)) };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/enrollment-tokens/:tokenId',
    access: 'admin',
    summary: 'Revoke an enrollment token; devices enrolled with it stay enrolled.',
    async handler({ s, org, account, params }) {
      const now = s.clock();
      const token = await s.store.tx((t) => {
        const tok = t.org(org.id)!.enrollmentTokens[params.tokenId!];
        if (!tok) throw new SeatkeeperError('NOT_FOUND', 'No such enrollment token.');
        if (!tok.revokedAt) {
          tok.revokedAt = now;
          t.audit(auditEvent(s.ids, now, org.id, account.id, 'enrollment-token.revoke', tok.id, { revokedAt: null }, { revokedAt: now }));
        }
        return { ...tok };
      });
      return tokenView(token, now);
    },
  });

  r.add({
    method: 'POST',
    url: AGENT_ENROLL_PATH,
    access: 'public',
    body: AgentEnrollBody,
    status: 201,
    summary: "Enroll a workstation with an enrollment token; replies with its device id and the server's lease key.",
    limit: { perAddress: 'enrollments' },
    async handler({ s, body }): Promise<AgentEnrollReply> {
      const now = s.clock();
      const invalid = () => new SeatkeeperError('ENROLLMENT_TOKEN_INVALID', 'This enrollment token is unknown, expired, used up or revoked. Ask an administrator for a new one.');
      const found = findToken(s, body.token);
      if (!found) throw invalid();
      const orgId = found.doc.org.id;
      let device: Device;
      try {
        device = await s.store.tx((t) => {
          const doc = t.org(orgId)!;
          const token = doc.enrollmentTokens[found.token.id];
          const refusal = token ? enrollmentRefusal(token, now) : 'revoked';
          if (!token || refusal) throw new Refused(refusal ?? 'revoked');
          token.uses++;
          // Enrollment only ever adds a device. The machine id is the client's word (readable by any
          // local user): it never selects an existing device, so a key is never replaced and a
          // revocation never lifted. A reinstall is a new device; the admin revokes the old one.
          const hash = machineIdHash(doc.org.salt, body.machineId);
          const sameMachine = findDeviceByMachine(doc, hash);
          const d: Device = {
            id: s.ids('dev'),
            machineIdHash: hash,
            hostname: body.hostname,
            os: body.os,
            agentVersion: body.agentVersion,
            publicKey: body.publicKey,
            enrolledAt: now,
            enrolledWith: token.id,
            lastSeenAt: null,
            signedInAccountId: null,
            inventory: [],
            inventoryHash: null,
            revokedAt: null,
          };
          doc.devices[d.id] = d;
          t.audit(auditEvent(s.ids, now, orgId, `device:${d.id}`, 'device.enroll', d.id, null, { hostname: d.hostname, os: d.os, token: token.id, ...(sameMachine ? { sameMachineAs: sameMachine.id } : {}) }));
          t.audit(auditEvent(s.ids, now, orgId, `device:${d.id}`, 'enrollment-token.use', token.id, { uses: token.uses - 1 }, { uses: token.uses, maxUses: token.maxUses ?? null, deviceId: d.id, hostname: d.hostname }));
          return { ...d };
        });
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        // A refused use of a real token is the admins' business too (a leaked token being tried).
        await s.store
          .tx((t) => t.audit(auditEvent(s.ids, now, orgId, 'anonymous', 'enrollment-token.refused', found.token.id, null, { reason: e.reason, hostname: body.hostname })))
          .catch((err: Error) => s.log.warn('could not audit a refused enrollment', { error: err.message }));
        throw invalid();
      }
      s.events.emit('feed', { orgId, at: now, kind: 'device', text: `Workstation ${device.hostname} enrolled`, deviceId: device.id });
      return {
        deviceId: device.id,
        orgId,
        orgName: found.doc.org.name,
        leasePublicKeyJwk: s.gateway.leasePublicKeyJwk,
        agentSocketUrl: agentSocketUrl(s),
        settings: agentSettings(s.config.heartbeatSeconds, found.doc.org.settings.leaseTtlSeconds),
      };
    },
  });
}
