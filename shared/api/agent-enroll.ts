// POST /api/v1/agent/enroll — a workstation trades an enrollment token and its public key for a
// device id, and pins the server's lease key from the reply.
import { z } from 'zod';
import { DeviceOs, EntityId } from '../protocol/common.js';
import { AgentSettings } from '../protocol/welcome.js';
import { Ed25519PublicJwk } from '../lease.js';

export const AGENT_ENROLL_PATH = '/api/v1/agent/enroll';

export const AgentEnrollBody = z.strictObject({
  /** enrollment token issued by an admin for the organization */
  token: z.string().min(8).max(256),
  /** base64url raw Ed25519 public key (the JWK `x`) of the device key */
  publicKey: z.string().length(43).regex(/^[A-Za-z0-9_-]+$/),
  /** sha256 hex of the machine id (node-machine-id already hashes it); the server salts it again per org */
  machineId: z.string().regex(/^[0-9a-f]{64}$/),
  hostname: z.string().min(1).max(255),
  os: DeviceOs,
  agentVersion: z.string().min(1).max(64),
});
export type AgentEnrollBody = z.infer<typeof AgentEnrollBody>;

export const AgentEnrollReply = z.strictObject({
  deviceId: EntityId,
  orgId: EntityId,
  orgName: z.string().min(1).max(200),
  /** the server's lease-signing public key; the agent pins it */
  leasePublicKeyJwk: Ed25519PublicJwk,
  /** ws:// or wss:// URL of the agent socket (`/agent`) */
  agentSocketUrl: z.url({ protocol: /^wss?$/ }).max(2048),
  settings: AgentSettings,
});
export type AgentEnrollReply = z.infer<typeof AgentEnrollReply>;
