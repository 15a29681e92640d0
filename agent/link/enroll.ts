// `enroll`: trade an enrollment token for a device identity. A fresh device key is made here and
// only its public half leaves the machine; the reply's lease key is pinned for every later check.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { AGENT_ENROLL_PATH, AgentEnrollReply, type AgentEnrollBody } from '../../shared/api/agent-enroll.js';
import type { DeviceOs } from '../../shared/protocol/common.js';
import type { Clock } from '../clock.js';
import type { AgentLogger } from '../log.js';
import { writeConfig, type AgentConfig } from '../state/config.js';
import { generateDeviceKey, saveDeviceKey } from '../state/device-key.js';
import { prepareStateDir } from '../state/modes.js';
import type { StatePaths } from '../state/paths.js';

export interface EnrollOptions {
  paths: StatePaths;
  server: string;
  token: string;
  /** sha256 hex from node-machine-id, or any string (hashed here) from the test override */
  machineId: string;
  hostname: string;
  os: DeviceOs;
  agentVersion: string;
  detectRoot?: string;
  clock: Clock;
  logger: AgentLogger;
  fetch?: typeof fetch;
}

export class EnrollError extends Error {
  readonly code: string;
  readonly status: number | null;
  constructor(code: string, message: string, status: number | null) {
    super(message);
    this.name = 'EnrollError';
    this.code = code;
    this.status = status;
  }
}

/** node-machine-id already returns sha256 hex; anything else (a test override) is hashed to that form. */
export function normalizeMachineId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id : createHash('sha256').update(id).digest('hex');
}

export async function enroll(opts: EnrollOptions): Promise<AgentConfig> {
  const doFetch = opts.fetch ?? fetch;
  const key = generateDeviceKey();
  const body: AgentEnrollBody = {
    token: opts.token,
    publicKey: key.publicKeyX,
    machineId: normalizeMachineId(opts.machineId),
    hostname: opts.hostname.slice(0, 255) || 'unknown',
    os: {
      platform: opts.os.platform.slice(0, 64),
      distro: opts.os.distro.slice(0, 128),
      release: opts.os.release.slice(0, 128),
      arch: opts.os.arch.slice(0, 32),
    },
    agentVersion: opts.agentVersion,
  };
  const url = new URL(AGENT_ENROLL_PATH, opts.server).toString();
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new EnrollError('SERVER_UNREACHABLE', `cannot reach ${url}: ${(e as Error).message}`, null);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // handled below
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new EnrollError(
      typeof err?.code === 'string' ? err.code : `HTTP_${res.status}`,
      typeof err?.message === 'string' ? err.message : `enrollment failed with HTTP ${res.status}`,
      res.status,
    );
  }
  const reply = AgentEnrollReply.safeParse(json);
  if (!reply.success) throw new EnrollError('BAD_REPLY', `the server's enrollment reply is not valid: ${reply.error.issues[0]?.message ?? ''}`, res.status);

  // Key first, config second: a config without its key would be a device that cannot authenticate.
  await saveDeviceKey(opts.paths, key);
  const config: AgentConfig = {
    schema: 1,
    server: opts.server,
    agentSocketUrl: reply.data.agentSocketUrl,
    deviceId: reply.data.deviceId,
    orgId: reply.data.orgId,
    orgName: reply.data.orgName,
    leasePublicKeyJwk: reply.data.leasePublicKeyJwk,
    settings: reply.data.settings,
    ...(opts.detectRoot !== undefined ? { detectRoot: opts.detectRoot } : {}),
    enrolledAt: opts.clock.now(),
  };
  await writeConfig(opts.paths, config);
  // Leases and sign-in of a previous enrollment belong to another device id; they would only ever fail.
  await fs.rm(opts.paths.leases, { recursive: true, force: true });
  await fs.rm(opts.paths.session, { force: true });
  await fs.rm(opts.paths.products, { force: true });
  await prepareStateDir(opts.paths);
  opts.logger.info('enroll: enrolled', { deviceId: config.deviceId, orgId: config.orgId, server: opts.server });
  return config;
}
