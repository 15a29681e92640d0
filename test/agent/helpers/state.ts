// Enrolled agent state directories for tests, without a server: config + device key + leases.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportLeasePublicJwk, type LeaseKeyPair } from '../../../shared/lease.js';
import type { AgentSettings } from '../../../shared/protocol/welcome.js';
import { writeConfig, type AgentConfig } from '../../../agent/state/config.js';
import { generateDeviceKey, saveDeviceKey, type DeviceKey } from '../../../agent/state/device-key.js';
import { statePaths, type StatePaths } from '../../../agent/state/paths.js';
import { TEST_SETTINGS } from './fake-server.js';

export interface TestState {
  dir: string;
  paths: StatePaths;
  config: AgentConfig;
  deviceKey: DeviceKey;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(tmpdir(), prefix));
}

export async function makeEnrolledState(opts: {
  leaseKey: LeaseKeyPair;
  server?: string;
  deviceId?: string;
  settings?: AgentSettings;
  dir?: string;
}): Promise<TestState> {
  const dir = opts.dir ?? (await tempDir('sk-agent-'));
  const paths = statePaths(dir);
  const deviceKey = generateDeviceKey();
  await saveDeviceKey(paths, deviceKey);
  const server = opts.server ?? 'http://127.0.0.1:9';
  const config: AgentConfig = {
    schema: 1,
    server,
    agentSocketUrl: `${server.replace('http', 'ws')}/agent`,
    deviceId: opts.deviceId ?? 'dev_test',
    orgId: 'org_test',
    orgName: 'Acme Engineering',
    leasePublicKeyJwk: await exportLeasePublicJwk(opts.leaseKey.publicKey),
    settings: opts.settings ?? TEST_SETTINGS,
    enrolledAt: Date.now(),
  };
  await writeConfig(paths, config);
  return { dir, paths, config, deviceKey };
}
