// Packages the agent as one executable (Node single-executable application): dist/agent-bundle.cjs is
// embedded into a copy of this Node binary, and into the Windows node.exe of exactly this Node
// version (from the npm registry, pinned in scripts/windows/pins.json). Run by `npm run package:agent`
// after the build. In the executable `require` loads only built-ins, so dist/agent-bundle.cjs must be
// self-contained. The MSI follows when wixl is installed (scripts/windows/build-msi.mjs).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchWindowsNode, fetchWinSW } from './windows/fetch-pinned.mjs';
import { signFile, stripSignature } from './windows/sign.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
// The bundle itself (dist/agent.cjs only starts it with a code cache; the executable has its own).
const main = path.join(dist, 'agent-bundle.cjs');
// The fuse string Node looks for to know a blob was injected (fixed by Node, see its SEA docs).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const targets = (process.env.SEATKEEPER_PACKAGE_TARGETS || `${process.platform}-${process.arch},win32-x64`).split(',').filter((t, i, all) => t && all.indexOf(t) === i);

if (!existsSync(main)) {
  process.stderr.write('package-agent: dist/agent-bundle.cjs is missing; run `node scripts/build.mjs` first\n');
  process.exit(1);
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });

/** A blob for one target; Windows carries WinSW as an asset so `install-service` can lay it down. */
function makeBlob(name, assets, { codeCache = false } = {}) {
  const blob = path.join(dist, `sea-prep-${name}-${process.pid}.blob`);
  const seaConfig = path.join(dist, `sea-config-${name}-${process.pid}.json`);
  // A V8 code cache spares each start compiling the 2 MB bundle (`check` runs at every CAD start).
  // It is only valid for the V8 that made it: on for the executable of this very Node binary.
  const config = { main, output: blob, disableExperimentalSEAWarning: true, ...(codeCache ? { useCodeCache: true } : {}), ...(assets ? { assets } : {}) };
  writeFileSync(seaConfig, `${JSON.stringify(config, null, 2)}\n`);
  run(process.execPath, ['--experimental-sea-config', seaConfig]);
  rmSync(seaConfig);
  return blob;
}

/** Copies to a temp name and renames, so a test or a build running at the same time never reads half a file. */
function copyAtomic(from, to) {
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

function inject(base, finalExe, blob, platform) {
  const exe = `${finalExe}.tmp-${process.pid}${platform === 'win32' ? '.exe' : ''}`;
  rmSync(exe, { force: true });
  // node.exe is signed by the Node project; injecting breaks that signature, so it goes first.
  if (platform !== 'win32' || !stripSignature(base, exe)) copyFileSync(base, exe);
  chmodSync(exe, 0o755);
  if (platform === 'darwin') run('codesign', ['--remove-signature', exe]);
  const postjectArgs = [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
  if (platform === 'darwin') postjectArgs.push('--macho-segment-name', 'NODE_SEA');
  run('npx', ['--no-install', 'postject', ...postjectArgs]);
  if (platform === 'darwin' && process.platform === 'darwin') run('codesign', ['--sign', '-', exe]);
  if (platform === 'win32' && signFile(exe, 'Seatkeeper Agent')) process.stdout.write(`package-agent: signed ${path.relative(root, finalExe)}\n`);
  renameSync(exe, finalExe);
  process.stdout.write(`package-agent: wrote ${path.relative(root, finalExe)}\n`);
}

// systeminformation's own bundle, which enroll loads from the executable (agent/detect/system-information.ts).
const sysinfo = { 'agent-sysinfo.cjs': path.join(dist, 'agent-sysinfo.cjs') };

for (const target of targets) {
  const [platform, arch] = target.split('-');
  if (platform === 'win32') {
    if (arch !== 'x64') throw new Error(`package-agent: no Windows build for ${arch}`);
    const winsw = fetchWinSW();
    const blob = makeBlob('win-x64', { 'winsw.exe': winsw, 'winsw.exe.config': `${winsw}.config`, ...sysinfo });
    inject(process.platform === 'win32' && process.arch === 'x64' ? process.execPath : fetchWindowsNode(), path.join(dist, 'seatkeeper-agent-win-x64.exe'), blob, 'win32');
    rmSync(blob);
    // The service wrapper beside the exe, for the MSI (which installs it as a file of its own).
    copyAtomic(winsw, path.join(dist, 'seatkeeper-agent-service.exe'));
    continue;
  }
  if (platform !== process.platform || arch !== process.arch) throw new Error(`package-agent: cannot build ${target} on ${process.platform}-${process.arch}`);
  const blob = makeBlob(target, sysinfo, { codeCache: true });
  inject(process.execPath, path.join(dist, `seatkeeper-agent-${platform}-${arch}`), blob, platform);
  rmSync(blob);
}


// The MSI around the Windows build (scripts/windows/build-msi.mjs; it says so and stops when wixl is missing).
if (targets.includes('win32-x64') && process.env.SEATKEEPER_SKIP_MSI !== '1') run(process.execPath, [path.join(root, 'scripts', 'windows', 'build-msi.mjs')]);
