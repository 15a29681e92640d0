// config.json: what enrollment established (device id, organization, server, pinned lease key)
// plus the settings the server last sent.
import { z } from 'zod';
import { Ed25519PublicJwk } from '../../shared/lease.js';
import { EntityId } from '../../shared/protocol/common.js';
import { AgentSettings } from '../../shared/protocol/welcome.js';
import { readJson, writeJsonAtomic } from './atomic-write.js';
import { PUBLIC_FILE_MODE } from './modes.js';
import type { StatePaths } from './paths.js';

export const AgentConfig = z.object({
  schema: z.literal(1),
  /** base URL the agent enrolled with, e.g. http://127.0.0.1:8080 */
  server: z.string().url(),
  /** every node of a cluster given at enrollment (`server` among them): `run` fails over between them */
  servers: z.array(z.string().url()).max(16).optional(),
  /** ws(s) URL of the agent socket as the server advertised it at enrollment */
  agentSocketUrl: z.string().url(),
  deviceId: EntityId,
  orgId: EntityId,
  orgName: z.string(),
  /** the server's lease key, pinned at enrollment; every lease is verified with it */
  leasePublicKeyJwk: Ed25519PublicJwk,
  settings: AgentSettings,
  /** detection root persisted with `enroll --root` */
  detectRoot: z.string().optional(),
  enrolledAt: z.number().int(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export async function readConfig(paths: StatePaths): Promise<AgentConfig | null> {
  const raw = await readJson(paths.config);
  if (raw === null) return null;
  return AgentConfig.parse(raw);
}

export async function writeConfig(paths: StatePaths, config: AgentConfig): Promise<void> {
  await writeJsonAtomic(paths.config, AgentConfig.parse(config), { mode: PUBLIC_FILE_MODE });
}

/** ws URL of the agent socket derived from the server URL the user typed: http→ws, https→wss, path /agent. */
export function agentSocketUrlFor(server: string): string {
  const u = new URL(server);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/agent`;
  u.search = '';
  u.hash = '';
  return u.toString();
}
