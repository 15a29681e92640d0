// The shape every CLI command has. cli.ts reads argv and the environment once and hands each
// command what it needs; commands print only through `io`.
import type { ParseArgsConfig } from 'node:util';
import type { Clock } from '../clock.js';
import type { StatePaths } from '../state/paths.js';

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** Everything cli.ts took from the process: environment, platform, how the agent was started. */
export interface CommandEnv {
  platform: NodeJS.Platform;
  clock: Clock;
  /** SEATKEEPER_DETECT_ROOT */
  detectRoot: string | undefined;
  /** SEATKEEPER_MACHINE_ID (test hook: agents sharing one machine) */
  machineIdOverride: string | undefined;
  /** USER / USERNAME: who ran the command, as a label in usage reports (not an identity) */
  localUser?: string | undefined;
  /** SEATKEEPER_LOG_LEVEL */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** how to start this agent again: [binary] when a single executable, [node, script] otherwise */
  selfCommand: string[];
  /** directories of PATH, for finding systemctl */
  pathDirs: string[];
  /** installs SIGTERM/SIGINT handlers; resolves with the signal's name when one arrives */
  shutdown: () => Promise<string>;
}

export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  paths: StatePaths;
  env: CommandEnv;
  io: CommandIo;
}

export interface Command {
  name: string;
  summary: string;
  /** argument synopsis after the command name */
  synopsis: string;
  /** option lines for --help */
  details: string[];
  options: NonNullable<ParseArgsConfig['options']>;
  positionals: { min: number; max: number };
  run(ctx: CommandContext): Promise<number>;
}

/** Wrong arguments: cli.ts prints the command's usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

export const stateDirOption = { 'state-dir': { type: 'string' } } as const;
export const jsonOption = { json: { type: 'boolean' } } as const;
export const STATE_DIR_HELP = '--state-dir DIR   state directory (env SEATKEEPER_AGENT_HOME; default per OS)';
export const JSON_HELP = '--json            machine-readable output';

export const writeJson = (io: CommandIo, value: unknown) => io.out(`${JSON.stringify(value)}\n`);
