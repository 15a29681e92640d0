// Packages the agent as one executable (Node single-executable application): dist/agent.cjs is
// embedded into a copy of this Node binary. Run by `npm run package:agent` after the build.
// In the executable `require` loads only built-ins, so dist/agent.cjs must be self-contained.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const main = path.join(dist, 'agent.cjs');
const blob = path.join(dist, 'sea-prep.blob');
const seaConfig = path.join(dist, 'sea-config.json');
const exe = path.join(dist, `seatkeeper-agent-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);
// The fuse string Node looks for to know a blob was injected (fixed by Node, see its SEA docs).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

if (!existsSync(main)) {
  process.stderr.write('package-agent: dist/agent.cjs is missing; run `node scripts/build.mjs` first\n');
  process.exit(1);
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });

writeFileSync(seaConfig, `${JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true }, null, 2)}\n`);
run(process.execPath, ['--experimental-sea-config', seaConfig]);

rmSync(exe, { force: true });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
if (process.platform === 'darwin') run('codesign', ['--remove-signature', exe]);

const postjectArgs = [exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
if (process.platform === 'darwin') postjectArgs.push('--macho-segment-name', 'NODE_SEA');
run('npx', ['--no-install', 'postject', ...postjectArgs]);
if (process.platform === 'darwin') run('codesign', ['--sign', '-', exe]);

process.stdout.write(`package-agent: wrote ${path.relative(root, exe)}\n`);
