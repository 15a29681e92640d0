// `install-service` / `uninstall-service`: register the daemon with systemd, launchd or the SCM.
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { describeService } from '../service/description.js';
import { applyPlan, installPlan, renderPlan, uninstallPlan, type PlanOptions } from '../service/plan.js';
import { WRAPPER_BASENAME, wrapperFiles } from '../service/windows.js';
import { seaAsset } from '../sea.js';
import { readConfig } from '../state/config.js';
import { EXIT_FAIL, EXIT_OK, STATE_DIR_HELP, stateDirOption, type Command, type CommandContext } from './types.js';

function hasOnPath(bin: string, dirs: readonly string[]): boolean {
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

async function plan(ctx: CommandContext, kind: 'install' | 'uninstall') {
  const config = await readConfig(ctx.paths).catch(() => null);
  const root = typeof ctx.values.root === 'string' ? ctx.values.root : (ctx.env.detectRoot ?? config?.detectRoot);
  const d = describeService({ command: ctx.env.selfCommand, stateDir: ctx.paths.dir, ...(root ? { detectRoot: root } : {}) });
  const opts: PlanOptions = { hasSystemctl: ctx.env.platform !== 'linux' || hasOnPath('systemctl', ctx.env.pathDirs) };
  if (ctx.env.platform === 'win32') {
    // The MSI installs the wrapper beside the agent; the bare executable carries it as an asset.
    const present = existsSync(wrapperFiles(d).exe);
    const wrapper = present ? 'present' : seaAsset('winsw.exe');
    if (wrapper) opts.wrapperExe = wrapper;
    if (ctx.values['prepare-only']) opts.prepareOnly = true;
  }
  return kind === 'install' ? installPlan(d, ctx.env.platform, opts) : uninstallPlan(d, ctx.env.platform, opts);
}

function serviceCommand(kind: 'install' | 'uninstall'): Command {
  return {
    name: `${kind}-service`,
    summary: kind === 'install' ? 'install and start the agent as a system service' : 'stop and remove the system service',
    synopsis: '[--dry-run] [--state-dir DIR]' + (kind === 'install' ? ' [--root DIR] [--prepare-only]' : ''),
    details: [
      '--dry-run         print the files and commands instead of applying them',
      ...(kind === 'install' ? [`--prepare-only    Windows: the service is registered by an installer (the MSI); only set its recovery and the state directory's ACL (${WRAPPER_BASENAME}.exe)`] : []),
      STATE_DIR_HELP,
    ],
    options: {
      ...stateDirOption,
      'dry-run': { type: 'boolean' },
      ...(kind === 'install' ? { root: { type: 'string' as const }, 'prepare-only': { type: 'boolean' as const } } : {}),
    },
    positionals: { min: 0, max: 0 },
    async run(ctx) {
      const p = await plan(ctx, kind);
      if (ctx.values['dry-run']) {
        ctx.io.out(renderPlan(p));
        return EXIT_OK;
      }
      try {
        await applyPlan(p);
      } catch (e) {
        ctx.io.err(`seatkeeper-agent: ${kind}-service failed: ${(e as Error).message}\n`);
        return EXIT_FAIL;
      }
      for (const n of p.notes) ctx.io.err(`note: ${n}\n`);
      // The key is closed to users by the ACL step only if it exists then: enroll first, or run this again after.
      if (kind === 'install' && ctx.env.platform === 'win32' && !existsSync(ctx.paths.deviceKey)) {
        ctx.io.err('note: not enrolled yet: run `install-service` again after `enroll` so the device key is readable by the service only\n');
      }
      ctx.io.out(kind === 'uninstall' ? 'Service removed.\n' : ctx.values['prepare-only'] ? 'Service prepared.\n' : 'Service installed and started.\n');
      return EXIT_OK;
    },
  };
}

export const installServiceCommand = serviceCommand('install');
export const uninstallServiceCommand = serviceCommand('uninstall');
