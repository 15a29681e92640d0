// The agent ↔ server wire protocol version. The agent sends it in `hello`; the server refuses
// versions it does not speak (close code PROTOCOL_UNSUPPORTED) instead of guessing.
//
// History (bump on any change a peer of the previous version would misread):
//   1 — 2026-11-23: first version: challenge/hello/welcome/reconcile, lease.grant/revoke/request,
//       method.switch, device login (login.start/code/done/failed), logout, inventory, ack, error.
export const PROTOCOL_VERSION = 1 as const;

/** Largest text frame either side accepts; the server passes it to ws as `maxPayload`. */
export const MAX_FRAME_BYTES = 256 * 1024;
