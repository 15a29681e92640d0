// The Windows service, created with sc.exe. Note: a service binary must answer the Service Control
// Manager; a plain executable is started but reported as failing after 30 s (error 1053) unless run
// under a wrapper such as WinSW. The commands here are what an installer runs around that.
import type { ServiceDescription } from './description.js';

/** Quotes one argument for the Windows command line (CommandLineToArgvW rules). */
export function windowsQuote(arg: string): string {
  if (arg.length > 0 && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
}

/** The binPath= value: the whole command line the SCM runs. */
export function windowsBinPath(d: ServiceDescription): string {
  return d.command.map(windowsQuote).join(' ');
}

export function windowsInstallCommands(d: ServiceDescription): string[][] {
  const n = d.windowsName;
  return [
    // sc.exe wants `option=` and its value as separate arguments.
    ['sc.exe', 'create', n, 'binPath=', windowsBinPath(d), 'start=', 'auto', 'DisplayName=', d.displayName],
    ['sc.exe', 'description', n, d.description],
    ['sc.exe', 'failure', n, 'reset=', '86400', 'actions=', 'restart/5000/restart/5000/restart/60000'],
    ['sc.exe', 'start', n],
  ];
}

export function windowsUninstallCommands(d: ServiceDescription): string[][] {
  const n = d.windowsName;
  return [
    ['sc.exe', 'stop', n],
    ['sc.exe', 'delete', n],
  ];
}
