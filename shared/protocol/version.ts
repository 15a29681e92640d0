// The agent ↔ server wire protocol version. The agent sends it in `hello`; the server refuses
// versions it does not speak (close code PROTOCOL_UNSUPPORTED) instead of guessing.
//
// History (bump on any change a peer of the previous version would misread):
//   1 — 2026-11-23: first version: challenge/hello/welcome/reconcile, lease.grant/revoke/request,
//       method.switch, device login (login.start/code/done/failed), logout, inventory, ack, error.
//   2 — 2026-12-03: method.switch carries the lease changes the switch made on the device (`revoke`,
//       then `grant`) in the same frame, one frame per device instead of three; revocations may say
//       'team-removed'. A version-1 agent is still served: it gets the three frames, and
//       'team-removed' as 'unassigned' (its schema refuses the new reason).
//   3 — 2026-12-03: usage.report (agent → server: `check` answers counted per product, outcome and
//       local user) and its receipt usage.ack. Older agents never send it and are served as before.
//   4 — 2026-12-03: lease.keys (server → agent, after welcome and on change): the lease keys to
//       accept, signed by each of them; leases name their key (`kid`), so a key can be rotated with
//       an overlap. Older agents are not sent it and verify with the key they pinned.
export const PROTOCOL_VERSION = 4 as const;

/** The oldest agent protocol the server still speaks (it refuses older ones with PROTOCOL_UNSUPPORTED). */
export const OLDEST_PROTOCOL_VERSION = 1 as const;

/**
 * Largest text frame either side accepts; both pass it to ws as `maxPayload` (a larger frame is
 * cut off with close 1009). Sized for the largest frames the schemas allow in practice: an
 * inventory of 500 items or a reconcile of 256 leases runs past 64 KiB, and a frame refused for
 * size would be sent again on every reconnect.
 */
export const MAX_FRAME_BYTES = 256 * 1024;

/** Where agents open their socket, relative to the server's URL. */
export const AGENT_SOCKET_PATH = '/agent';
