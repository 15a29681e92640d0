// `enroll --server URL --token T`: make this machine a device of the organization.
import { hostname as osHostname } from 'node:os';
import { loadSystemInformation } from '../detect/system-information.js';
import { EnrollError, enroll } from '../link/enroll.js';
import { readConfig, writeConfig, type AgentConfig } from '../state/config.js';
import { AGENT_VERSION } from '../version.js';
import { fileLogger } from './cli-helpers.js';
import { EXIT_FAIL, EXIT_OK, JSON_HELP, STATE_DIR_HELP, UsageError, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

async function machineId(override: string | undefined): Promise<string> {
  if (override) return override;
  const { machineIdSync } = await import('node-machine-id');
  return machineIdSync();
}

async function osDescription(platform: NodeJS.Platform) {
  try {
    const si = await loadSystemInformation();
    const o = await si.osInfo();
    return { hostname: o.hostname || osHostname(), os: { platform: o.platform, distro: o.distro, release: o.release, arch: o.arch } };
  } catch {
    return { hostname: osHostname(), os: { platform, distro: '', release: '', arch: process.arch } };
  }
}

export const enrollCommand: Command = {
  name: 'enroll',
  summary: 'enroll this machine with an enrollment token',
  synopsis: '--server URL [--server URL2 ...] --token T [--root DIR] [--force] [--json] [--state-dir DIR]',
  details: [
    '--server URL       the Seatkeeper server, e.g. https://licenses.example.com',
    '                   (several nodes of one cluster: --server once per node, or URLs separated by',
    '                   commas; enrollment uses the first that answers, the agent fails over between them)',
    '--token T          enrollment token from the admin portal',
    '--root DIR         detection root to remember for run and inventory',
    '--force            enroll again, replacing the current device identity',
    JSON_HELP,
    STATE_DIR_HELP,
    '                   (a second agent on this machine: its own --state-dir; it enrolls as its own device)',
  ],
  // 'detect-root': the name this option had before it was --root everywhere; accepted, not shown.
  options: { ...jsonOption, ...stateDirOption, server: { type: 'string', multiple: true }, token: { type: 'string' }, root: { type: 'string' }, 'detect-root': { type: 'string' }, force: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const given = ctx.values.server;
    const servers = [...new Set((Array.isArray(given) ? given : [given]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [])).map((v) => v.trim()).filter(Boolean))];
    const token = ctx.values.token;
    if (servers.length === 0 || servers.some((s) => !/^https?:\/\/[^/]/.test(s))) throw new UsageError('--server URL (http:// or https://) is required');
    if (servers.length > 16) throw new UsageError('at most 16 --server URLs');
    if (typeof token !== 'string' || token.length === 0) throw new UsageError('--token T is required');
    const existing = await readConfig(ctx.paths).catch(() => null);
    if (existing && !ctx.values.force) {
      ctx.io.err(`seatkeeper-agent: already enrolled as ${existing.deviceId} with ${existing.server}; use --force to enroll again\n`);
      return EXIT_FAIL;
    }
    const logger = fileLogger(ctx);
    try {
      const described = await osDescription(ctx.env.platform);
      const detectRoot = ctx.values.root ?? ctx.values['detect-root'];
      const common = {
        paths: ctx.paths,
        token,
        machineId: await machineId(ctx.env.machineIdOverride),
        hostname: described.hostname,
        os: described.os,
        agentVersion: AGENT_VERSION,
        ...(typeof detectRoot === 'string' ? { detectRoot } : {}),
        clock: ctx.env.clock,
        logger,
      };
      let config: AgentConfig | undefined;
      for (const [n, server] of servers.entries()) {
        try {
          config = await enroll({ ...common, server });
          break;
        } catch (e) {
          // Another node may answer; any other refusal would be the same on every node.
          if (!(e instanceof EnrollError && e.code === 'SERVER_UNREACHABLE' && n < servers.length - 1)) throw e;
        }
      }
      if (!config) throw new EnrollError('SERVER_UNREACHABLE', 'no server answered', null);
      // The cluster's nodes, remembered for `run` to fail over between.
      if (servers.length > 1) await writeConfig(ctx.paths, (config = { ...config, servers }));
      if (ctx.values.json) {
        writeJson(ctx.io, { deviceId: config.deviceId, orgId: config.orgId, orgName: config.orgName, server: config.server, stateDir: ctx.paths.dir });
      } else {
        ctx.io.out(`Enrolled as device ${config.deviceId} in ${config.orgName}.\nStart the agent with \`seatkeeper-agent run\` or install it with \`seatkeeper-agent install-service\`.\n`);
      }
      return EXIT_OK;
    } catch (e) {
      if (e instanceof EnrollError) {
        if (ctx.values.json) writeJson(ctx.io, { error: { code: e.code, message: e.message } });
        ctx.io.err(`seatkeeper-agent: enrollment failed: ${e.code}: ${e.message}\n`);
        return EXIT_FAIL;
      }
      throw e;
    } finally {
      await logger.close();
    }
  },
};
