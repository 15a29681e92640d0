// One description of the agent as an OS service; each platform renders it its own way.
export interface ServiceDescription {
  /** systemd unit / Windows service name */
  name: string;
  /** launchd label */
  label: string;
  /** Windows service name (no dashes by convention) */
  windowsName: string;
  displayName: string;
  description: string;
  /** program and arguments that run the daemon, e.g. [`/usr/local/bin/seatkeeper-agent`, `run`, ...] */
  command: string[];
  stateDir: string;
  /** environment the daemon gets (the state dir, a detection root) */
  env: Record<string, string>;
}

export const SERVICE_NAME = 'seatkeeper-agent';
export const LAUNCHD_LABEL = 'com.seatkeeper.agent';
export const WINDOWS_SERVICE_NAME = 'SeatkeeperAgent';

export function describeService(opts: { command: string[]; stateDir: string; detectRoot?: string }): ServiceDescription {
  if (opts.command.length === 0) throw new TypeError('describeService: command is empty');
  return {
    name: SERVICE_NAME,
    label: LAUNCHD_LABEL,
    windowsName: WINDOWS_SERVICE_NAME,
    displayName: 'Seatkeeper Agent',
    description: 'Seatkeeper agent: keeps this workstation\'s software license leases in step with the Seatkeeper server',
    command: [...opts.command, 'run', '--state-dir', opts.stateDir],
    stateDir: opts.stateDir,
    env: {
      SEATKEEPER_AGENT_HOME: opts.stateDir,
      ...(opts.detectRoot ? { SEATKEEPER_DETECT_ROOT: opts.detectRoot } : {}),
    },
  };
}
