// Enrollment: admins issue expiring, revocable tokens; a workstation trades one (with its public
// key) for a device identity and the server's lease key.
import { SeatkeeperError } from '../../../shared/errors.js';
import { AGENT_ENROLL_PATH, AgentEnrollBody, type AgentEnrollReply } from '../../../shared/api/agent-enroll.js';
import { CreateEnrollmentTokenBody, type CreatedEnrollmentToken, type EnrollmentTokenView } from '../../../shared/api/enrollment.js';
import { auditEvent } from '../../domain/audit.js';
import { findDeviceByMachine, machineIdHash } from '../../domain/devices.js';
import { revokeLease } from '../../domain/entitlements.js';
import { agentSettings } from '../../gateway/gateway.js';
import { AGENT_SOCKET_PATH } from '../../gateway/plugin.js';
import { hashSecret, newSecret } from '../../core/ids.js';
import type { Services } from '../../core/services.js';
import type { Device, EnrollmentToken, OrgDoc } from '../../domain/model.js';
import type { Router } from '../router.js';

function tokenView(t: EnrollmentToken, now: number): EnrollmentTokenView {
  const status = t.revokedAt ? 'revoked' : t.expiresAt <= now ? 'expired' : 'active';
  return { id: t.id, name: t.name, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, uses: t.uses, status };
}

export function agentSocketUrl(s: Services): string {
  const u = new URL(s.publicUrl());
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${AGENT_SOCKET_PATH}`;
  return u.toString();
}

/** The organization and token an enrollment secret belongs to, if it is still usable. */
function findToken(s: Services, secret: string, now: number): { doc: OrgDoc; token: EnrollmentToken } | undefined {
  const h = hashSecret(secret);
  for (const orgId of s.store.orgIds()) {
    const doc = s.store.org(orgId)!;
    const token = Object.values(doc.enrollmentTokens).find((t) => t.tokenHash === h);
    if (token) return !token.revokedAt && token.expiresAt > now ? { doc, token } : undefined;
  }
  return undefined;
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
      };
      await s.store.tx((t) => {
        t.org(org.id)!.enrollmentTokens[token.id] = token;
        t.audit(auditEvent(s.ids, now, org.id, account.id, 'enrollment-token.create', token.id, null, { name: token.name, expiresAt: token.expiresAt }));
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
      const invalid = () => new SeatkeeperError('ENROLLMENT_TOKEN_INVALID', 'This enrollment token is unknown, expired or revoked. Ask an administrator for a new one.');
      const found = findToken(s, body.token, now);
      if (!found) throw invalid();
      const orgId = found.doc.org.id;
      const { device, created } = await s.store.tx((t) => {
        const doc = t.org(orgId)!;
        const token = doc.enrollmentTokens[found.token.id];
        if (!token || token.revokedAt || token.expiresAt <= now) throw invalid();
        token.uses++;
        const hash = machineIdHash(doc.org.salt, body.machineId);
        const existing = findDeviceByMachine(doc, hash);
        const fields = { hostname: body.hostname, os: body.os, agentVersion: body.agentVersion, publicKey: body.publicKey, enrolledAt: now, enrolledWith: token.id };
        if (existing) {
          // The same machine enrolling again (a reinstall): same device, new key; nothing carries over
          // to the new installation (its state directory starts empty too).
          for (const l of Object.values(doc.leases)) if (l.deviceId === existing.id && l.status === 'active') revokeLease(l, 'superseded', now);
          Object.assign(existing, fields, { revokedAt: null, signedInAccountId: null });
          t.audit(auditEvent(s.ids, now, orgId, `device:${existing.id}`, 'device.re-enroll', existing.id, null, { hostname: body.hostname, token: token.id }));
          return { device: { ...existing }, created: false };
        }
        const d: Device = {
          id: s.ids('dev'),
          machineIdHash: hash,
          ...fields,
          lastSeenAt: null,
          signedInAccountId: null,
          inventory: [],
          inventoryHash: null,
          revokedAt: null,
        };
        doc.devices[d.id] = d;
        t.audit(auditEvent(s.ids, now, orgId, `device:${d.id}`, 'device.enroll', d.id, null, { hostname: d.hostname, os: d.os, token: token.id }));
        return { device: { ...d }, created: true };
      });
      if (!created) s.gateway.deviceReenrolled(orgId, device.id);
      s.events.emit('feed', { orgId, at: now, kind: 'device', text: `Workstation ${device.hostname} ${created ? 'enrolled' : 'enrolled again'}`, deviceId: device.id });
      return {
        deviceId: device.id,
        orgId,
        orgName: found.doc.org.name,
        leasePublicKeyJwk: s.gateway.leasePublicKeyJwk,
        agentSocketUrl: agentSocketUrl(s),
        settings: agentSettings(s, found.doc.org.settings.leaseTtlSeconds),
      };
    },
  });
}
