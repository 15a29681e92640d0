// What is live right now (online devices, seats in use). Kept in memory by the agent gateway,
// never stored; the HTTP routes and the dashboard read it through this interface.
export interface Presence {
  /** device ids of the organization with an authenticated socket now */
  onlineDevices(orgId: string): Set<string>;
  /** contract line id → number of valid leases held by online devices */
  inUseByLine(orgId: string): Record<string, number>;
  /** device id → last time seen alive (epoch ms), for devices seen since start */
  lastSeen(orgId: string, deviceId: string): number | null;
}
