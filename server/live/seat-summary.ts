// The live dashboard's summary: the seat summary GET /seats answers (domain/seats.ts), plus
// devices online of those enrolled and not revoked. Pure: presence comes in as values.
import type { LiveSummaryView } from '../../shared/api/live.js';
import { seatSummary } from '../domain/seats.js';
import type { OrgDoc } from '../domain/model.js';

export interface LiveState {
  /** contract line id → valid leases held by online devices */
  inUseByLine: Record<string, number>;
  /** ids of the organization's devices with a socket open now */
  onlineDevices: Set<string>;
}

export function liveSummary(doc: OrgDoc, live: LiveState, now: number): LiveSummaryView {
  const devices = Object.values(doc.devices).filter((d) => d.revokedAt === null);
  return {
    at: now,
    seats: seatSummary(doc, live.inUseByLine, now),
    devices: { online: devices.filter((d) => live.onlineDevices.has(d.id)).length, total: devices.length },
  };
}
