// An organization the operator removed: its connected workstations are told and cut off at once,
// with a final close (4010) so they stop reconnecting; their hello is refused from then on.
import { closeCodes } from '../../shared/protocol/index.js';
import type { GatewayCore } from './operations.js';
import { deviceKeyOf } from './pusher.js';

/** Closes every socket of the organization's devices on this node (ready or still in its hello); returns how many. */
export function closeOrganizationSockets(core: GatewayCore, orgId: string): number {
  const { pusher, presence, indexes, codes } = core;
  let closed = 0;
  for (const deviceId of presence.onlineDevices(orgId)) {
    codes.forget(deviceId);
    for (const c of pusher.all(orgId, deviceId)) {
      if (c.closed) continue;
      c.sendError('NOT_FOUND', "This workstation's organization was removed from the server by its operator.");
      c.close(closeCodes.ORG_REMOVED.code, 'organization removed');
      closed++;
    }
    pusher.outbox.forgetDevice(deviceKeyOf(orgId, deviceId));
  }
  indexes.invalidate(orgId);
  return closed;
}
