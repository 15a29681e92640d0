// Packages seatctl as one executable for this machine (Node single-executable application):
// dist/seatctl.cjs embedded into a copy of this Node binary. Run after `node scripts/build.mjs`.
// (The agent's packaging, with its Windows build, is scripts/package-agent.mjs.)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const main = path.join(dist, 'seatctl.cjs');
// The fuse string Node looks for to know a blob was injected (fixed by Node, see its SEA docs).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const exe = path.join(dist, `seatctl-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);

if (!existsSync(main)) {
  process.stderr.write('package-seatctl: dist/seatctl.cjs is missing; run `node scripts/build.mjs` first\n');
  process.exit(1);
}
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });

const blob = path.join(dist, `sea-prep-seatctl-${process.pid}.blob`);
const seaConfig = path.join(dist, `sea-config-seatctl-${process.pid}.json`);
writeFileSync(seaConfig, `${JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true }, null, 2)}\n`);
run(process.execPath, ['--experimental-sea-config', seaConfig]);
rmSync(seaConfig);

// Built beside the target and renamed into place: a test running the old one never sees half a file.
const tmp = `${exe}.${process.pid}.tmp`;
copyFileSync(process.execPath, tmp);
chmodSync(tmp, 0o755);
if (process.platform === 'darwin') run('codesign', ['--remove-signature', tmp]);
const args = [tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
run('npx', ['--no-install', 'postject', ...args]);
if (process.platform === 'darwin') run('codesign', ['--sign', '-', tmp]);
rmSync(blob);
renameSync(tmp, exe);
process.stdout.write(`package-seatctl: wrote ${path.relative(root, exe)}\n`);
