// Where seatctl keeps the server and token `seatctl login` stored, and how flags, environment and
// that file combine (flag > environment > file).
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError, EXIT_UNREACHABLE, usage } from './errors.js';

export interface StoredConfig {
  server?: string;
  token?: string;
  org?: string;
}

export interface Connection {
  server: string;
  token: string;
  org?: string;
}

type Env = Record<string, string | undefined>;

/** %APPDATA%\seatkeeper on Windows, else $XDG_CONFIG_HOME/seatkeeper or ~/.config/seatkeeper. */
export function configPath(env: Env, platform: NodeJS.Platform, home: string): string {
  if (env.SEATCTL_CONFIG) return env.SEATCTL_CONFIG;
  const base = platform === 'win32' ? (env.APPDATA ?? join(home, 'AppData', 'Roaming')) : env.XDG_CONFIG_HOME || join(home, '.config');
  return join(base, 'seatkeeper', 'seatctl.json');
}

export async function loadConfig(path: string): Promise<StoredConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(EXIT_UNREACHABLE, `cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(text) as StoredConfig;
    return { server: str(v.server), token: str(v.token), org: str(v.org) };
  } catch {
    throw new CliError(EXIT_UNREACHABLE, `${path} is not valid JSON; run \`seatctl login\` again`);
  }
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** Written readable by its owner only: it holds a bearer token. */
export async function saveConfig(path: string, cfg: StoredConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(cfg, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function removeConfig(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch {
    return false;
  }
}

export function normalizeServer(url: string): string {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw usage(`--server: ${url} is not an http(s) URL`);
  return url.replace(/\/+$/, '');
}

export function resolveConnection(flags: { server?: string; token?: string; org?: string }, env: Env, stored: StoredConfig): Connection {
  const server = flags.server ?? env.SEATKEEPER_SERVER ?? stored.server;
  const token = flags.token ?? env.SEATKEEPER_TOKEN ?? stored.token;
  const org = flags.org ?? env.SEATKEEPER_ORG ?? stored.org;
  if (!server || !token) {
    throw new CliError(EXIT_UNREACHABLE, 'not logged in: run `seatctl login --server URL --token TOKEN` (or set SEATKEEPER_SERVER and SEATKEEPER_TOKEN)', 'NOT_LOGGED_IN');
  }
  return { server: normalizeServer(server), token, ...(org ? { org } : {}) };
}
