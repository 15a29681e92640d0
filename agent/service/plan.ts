// What installing or removing the service does on each OS, as data (files and commands), so
// `--dry-run` prints exactly what a real run would apply and tests read the same plan.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { ServiceDescription } from './description.js';
import { renderLaunchdPlist } from './launchd.js';
import { renderSystemdUnit } from './systemd.js';
import { windowsInstallCommands, windowsUninstallCommands } from './windows.js';

export interface ServicePlan {
  platform: NodeJS.Platform;
  /** files to write (install) */
  files: Array<{ path: string; content: string; mode: number }>;
  /** files to remove (uninstall) */
  remove: string[];
  /** commands run in order; `optional` ones may fail (stopping a service that is not running) */
  commands: Array<{ argv: string[]; optional?: boolean }>;
  notes: string[];
}

export interface PlanOptions {
  /** where unit files go (default /etc/systemd/system); tests point it elsewhere */
  systemdDir?: string;
  launchdDir?: string;
  /** whether systemctl exists; without it the unit is written but not enabled */
  hasSystemctl?: boolean;
}

export function installPlan(d: ServiceDescription, platform: NodeJS.Platform, opts: PlanOptions = {}): ServicePlan {
  if (platform === 'linux') {
    const unit = `${opts.systemdDir ?? '/etc/systemd/system'}/${d.name}.service`;
    const commands = opts.hasSystemctl === false ? [] : [{ argv: ['systemctl', 'daemon-reload'] }, { argv: ['systemctl', 'enable', '--now', `${d.name}.service`] }];
    return {
      platform,
      files: [{ path: unit, content: renderSystemdUnit(d), mode: 0o644 }],
      remove: [],
      commands,
      notes: opts.hasSystemctl === false ? ['systemctl not found: the unit file is written but not enabled'] : [],
    };
  }
  if (platform === 'darwin') {
    const plist = `${opts.launchdDir ?? '/Library/LaunchDaemons'}/${d.label}.plist`;
    return {
      platform,
      files: [{ path: plist, content: renderLaunchdPlist(d), mode: 0o644 }],
      remove: [],
      commands: [{ argv: ['launchctl', 'bootout', `system/${d.label}`], optional: true }, { argv: ['launchctl', 'bootstrap', 'system', plist] }],
      notes: [],
    };
  }
  if (platform === 'win32') {
    return {
      platform,
      files: [],
      remove: [],
      commands: windowsInstallCommands(d).map((argv, i) => ({ argv, ...(i === 3 ? { optional: true } : {}) })),
      notes: ['the service process must answer the Service Control Manager; run it under a service wrapper (e.g. WinSW) if `sc start` reports error 1053'],
    };
  }
  throw new Error(`install-service: unsupported platform ${platform}`);
}

export function uninstallPlan(d: ServiceDescription, platform: NodeJS.Platform, opts: PlanOptions = {}): ServicePlan {
  if (platform === 'linux') {
    const unit = `${opts.systemdDir ?? '/etc/systemd/system'}/${d.name}.service`;
    const commands =
      opts.hasSystemctl === false
        ? []
        : [{ argv: ['systemctl', 'disable', '--now', `${d.name}.service`], optional: true }, { argv: ['systemctl', 'daemon-reload'], optional: true }];
    return { platform, files: [], remove: [unit], commands, notes: [] };
  }
  if (platform === 'darwin') {
    const plist = `${opts.launchdDir ?? '/Library/LaunchDaemons'}/${d.label}.plist`;
    return { platform, files: [], remove: [plist], commands: [{ argv: ['launchctl', 'bootout', `system/${d.label}`], optional: true }], notes: [] };
  }
  if (platform === 'win32') {
    return { platform, files: [], remove: [], commands: windowsUninstallCommands(d).map((argv, i) => ({ argv, optional: i === 0 })), notes: [] };
  }
  throw new Error(`uninstall-service: unsupported platform ${platform}`);
}

export type CommandRunner = (argv: string[]) => Promise<{ code: number; output: string }>;

export const runCommand: CommandRunner = ([cmd, ...args]) =>
  new Promise((resolve) => {
    if (!cmd) return resolve({ code: 127, output: 'empty command' });
    execFile(cmd, args, { windowsHide: true, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? Number(err.code) : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });

/** Applies a plan: files are written in place (uninstall: the service is stopped before its file goes). */
export async function applyPlan(plan: ServicePlan, run: CommandRunner = runCommand): Promise<void> {
  for (const f of plan.files) await writeFileAtomic(f.path, f.content, { mode: f.mode });
  const removeFirst = plan.files.length === 0;
  if (!removeFirst) for (const p of plan.remove) await fs.rm(p, { force: true });
  for (const c of plan.commands) {
    const r = await run(c.argv);
    if (r.code !== 0 && !c.optional) throw new Error(`\`${c.argv.join(' ')}\` failed (${r.code}): ${r.output}`);
  }
  if (removeFirst) for (const p of plan.remove) await fs.rm(p, { force: true });
}

/** The plan as a human reads it for --dry-run. */
export function renderPlan(plan: ServicePlan): string {
  const out: string[] = [];
  for (const f of plan.files) out.push(`# write ${f.path} (mode ${f.mode.toString(8)})`, f.content);
  for (const p of plan.remove) out.push(`# remove ${p}`);
  for (const c of plan.commands) out.push(`# run${c.optional ? ' (may fail)' : ''}: ${c.argv.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  for (const n of plan.notes) out.push(`# note: ${n}`);
  return `${out.join('\n')}\n`;
}
