// Workstations as admins manage them: list with live status, details, revoke, ask for a rescan.
import type { DeviceList, DeviceView, RescanReply } from '../../../shared/api/devices.js';
import { deviceView, leasesByDevice, requireDevice, requireNotRevoked } from '../../domain/devices.js';
import type { Services } from '../../core/services.js';
import type { Device, Lease, OrgDoc } from '../../domain/model.js';
import type { Router } from '../router.js';

function view(s: Services, doc: OrgDoc, d: Device, online = s.gateway.presence.onlineDevices(doc.org.id), leases?: Lease[]): DeviceView {
  const live = { online: online.has(d.id), lastSeen: s.gateway.presence.lastSeen(doc.org.id, d.id) };
  return deviceView(doc, d, s.store.global().accounts, live, s.clock(), ...(leases ? [leases] : []));
}

export function registerDevicesRoutes(r: Router): void {
  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/devices',
    access: 'admin',
    summary: 'Enrolled workstations: online or not, last seen, host, OS, signed-in user, inventory, leases.',
    handler: ({ s, org }): DeviceList => {
      const online = s.gateway.presence.onlineDevices(org.id);
      const leases = leasesByDevice(org.doc);
      return {
        devices: Object.values(org.doc.devices)
          .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.enrolledAt - b.enrolledAt)
          .map((d) => view(s, org.doc, d, online, leases.get(d.id) ?? [])),
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/orgs/:orgId/devices/:deviceId',
    access: 'admin',
    summary: 'One workstation in detail.',
    handler: ({ s, org, params }): DeviceView => view(s, org.doc, requireDevice(org.doc, params.deviceId)),
  });

  const revoke = async ({ s, org, account, params }: { s: Services; org: { id: string; doc: OrgDoc }; account: { id: string }; params: Record<string, string> }) => {
    requireDevice(org.doc, params.deviceId);
    await s.gateway.revokeDevice(org.id, params.deviceId!, account.id);
    return view(s, s.store.org(org.id)!, s.store.org(org.id)!.devices[params.deviceId!]!);
  };

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/devices/:deviceId/revoke',
    access: 'admin',
    summary: "Revoke a workstation: its leases go at once ('device-revoked') and it can no longer connect.",
    handler: revoke,
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/orgs/:orgId/devices/:deviceId',
    access: 'admin',
    summary: 'Same as revoke (the record stays for the audit trail).',
    handler: revoke,
  });

  r.add({
    method: 'POST',
    url: '/api/v1/orgs/:orgId/devices/:deviceId/rescan',
    access: 'admin',
    summary: 'Ask the workstation to scan for installed products now (delivered when it next connects if offline).',
    handler: ({ s, org, params }): RescanReply => {
      const d = requireNotRevoked(requireDevice(org.doc, params.deviceId));
      return { ok: true, online: s.gateway.requestRescan(org.id, d.id) };
    },
  });
}
