// What installing or removing the service does on each OS, as data (files and commands), so
// `--dry-run` prints exactly what a real run would apply and tests read the same plan.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { ServiceDescription } from './description.js';
import { renderLaunchdPlist } from './launchd.js';
import { renderSystemdUnit } from './systemd.js';
import { WINSW_EXE_CONFIG, renderWinswXml, windowsInstallCommands, windowsPrepareCommands, windowsUninstallCommands, wrapperFiles } from './windows.js';

export interface ServicePlan {
  platform: NodeJS.Platform;
  /** directories to create first (install) */
  dirs?: string[];
  /** files to write (install); binary content is shown by size in --dry-run */
  files: Array<{ path: string; content: string | Uint8Array; mode: number }>;
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
  /**
   * Windows: the WinSW executable to lay down beside the agent (from the single executable's
   * assets), or 'present' when an installer already put it there.
   */
  wrapperExe?: Uint8Array | 'present';
  /** Windows: the service is registered by an installer (MSI ServiceInstall); only prepare it */
  prepareOnly?: boolean;
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
    const dirs = [d.stateDir, `${d.stateDir}\\logs`];
    if (opts.prepareOnly) return { platform, dirs, files: [], remove: [], commands: windowsPrepareCommands(d), notes: [] };
    if (!opts.wrapperExe) throw new Error('install-service: the WinSW service wrapper is missing (use the packaged seatkeeper-agent.exe or the MSI)');
    const w = wrapperFiles(d);
    const files = [
      { path: w.xml, content: renderWinswXml(d), mode: 0o644 },
      { path: w.config, content: WINSW_EXE_CONFIG, mode: 0o644 },
      ...(opts.wrapperExe === 'present' ? [] : [{ path: w.exe, content: opts.wrapperExe, mode: 0o755 }]),
    ];
    // LocalSystem runs whatever sits at that path: a folder users can write would hand them the machine.
    const notes = [`the service runs ${d.command[0] ?? ''} as LocalSystem: keep it in a folder only Administrators can write (the MSI uses C:\\Program Files\\Seatkeeper)`];
    return { platform, dirs, files, remove: [], commands: windowsInstallCommands(d), notes };
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
    // The wrapper's files go with the service; the state directory (the enrollment) stays.
    const w = wrapperFiles(d);
    return { platform, files: [], remove: [w.xml, w.config, ...(opts.wrapperExe === 'present' ? [] : [w.exe])], commands: windowsUninstallCommands(d), notes: [] };
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
  for (const dir of plan.dirs ?? []) await fs.mkdir(dir, { recursive: true });
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
  for (const dir of plan.dirs ?? []) out.push(`# create ${dir}`);
  for (const f of plan.files) {
    if (typeof f.content === 'string') out.push(`# write ${f.path} (mode ${f.mode.toString(8)})`, f.content);
    else out.push(`# write ${f.path} (${f.content.byteLength} bytes)`);
  }
  for (const p of plan.remove) out.push(`# remove ${p}`);
  for (const c of plan.commands) out.push(`# run${c.optional ? ' (may fail)' : ''}: ${c.argv.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  for (const n of plan.notes) out.push(`# note: ${n}`);
  return `${out.join('\n')}\n`;
}
