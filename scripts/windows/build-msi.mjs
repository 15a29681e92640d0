// Builds dist/seatkeeper-agent-x64.msi with wixl (msitools) from dist/seatkeeper-agent-win-x64.exe
// and the WinSW wrapper beside it; the WiX source comes from msi-source.ts. Signs the MSI when the
// operator provides a certificate (sign.mjs). Run by package-agent.mjs; needs `wixl` on PATH.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { signFile } from './sign.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist');
// Per process: two builds at once (a test and a developer) must not share the generated sources.
const work = path.join(dist, 'windows', `build-${process.pid}`);
// --version V and --out FILE build another version elsewhere (the upgrade test builds a newer one).
const flag = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const finalMsi = path.resolve(flag('--out') ?? path.join(dist, 'seatkeeper-agent-x64.msi'));
// Built under a temp name and renamed: a test reading the MSI never sees half of one.
const msi = `${finalMsi}.tmp-${process.pid}`;
const version = flag('--version') ?? JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;

const agentExe = path.join(dist, 'seatkeeper-agent-win-x64.exe');
const wrapperExe = path.join(dist, 'seatkeeper-agent-service.exe');
for (const f of [agentExe, wrapperExe]) {
  if (!existsSync(f)) {
    process.stderr.write(`build-msi: ${path.relative(root, f)} is missing; run \`npm run package:agent\`\n`);
    process.exit(1);
  }
}
try {
  execFileSync('wixl', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('build-msi: wixl is not installed (Debian: apt-get install wixl); the MSI is not built\n');
  process.exit(process.env.CI ? 1 : 0);
}

mkdirSync(work, { recursive: true });
const bundled = path.join(work, 'msi-source.mjs');
await build({ entryPoints: [path.join(root, 'scripts/windows/msi-source.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundled, logLevel: 'warning' });
const source = await import(pathToFileURL(bundled).href);

const src = {
  agentExe,
  wrapperExe,
  wrapperConfig: path.join(work, 'seatkeeper-agent-service.exe.config'),
  wrapperXml: path.join(work, 'seatkeeper-agent-service.xml'),
};
writeFileSync(src.wrapperConfig, source.msiWinswConfig());
writeFileSync(src.wrapperXml, source.msiWinswXml());
const wxs = path.join(work, 'seatkeeper-agent.wxs');
// wixl takes only relative Source paths, resolved from where it runs.
const rel = Object.fromEntries(Object.entries(src).map(([k, v]) => [k, path.relative(work, v)]));
writeFileSync(wxs, source.renderWxs(version, rel));

rmSync(msi, { force: true });
execFileSync('wixl', ['-a', 'x64', '-o', msi, wxs], { cwd: work, stdio: ['ignore', 'inherit', 'inherit'] });
const exported = execFileSync('msiinfo', ['export', msi, 'Property'], { encoding: 'utf8' });
const secure = /^SecureCustomProperties\t(.*)$/m.exec(exported)?.[1]?.trim();
const value = [...new Set([...(secure ? secure.split(';') : []), ...source.SECURE_PROPERTIES])].join(';');
execFileSync('msibuild', [msi, '-q', secure ? `UPDATE \`Property\` SET \`Value\` = '${value}' WHERE \`Property\` = 'SecureCustomProperties'` : `INSERT INTO \`Property\` (\`Property\`, \`Value\`) VALUES ('SecureCustomProperties', '${value}')`]);
// 0x2000: the installer log shows neither the action's command line nor the token in it.
const actions = execFileSync('msiinfo', ['export', msi, 'CustomAction'], { encoding: 'utf8' });
for (const action of source.HIDDEN_TARGET_ACTIONS) {
  const type = Number(new RegExp(`^${action}\\t(\\d+)\\t`, 'm').exec(actions)?.[1]);
  if (!Number.isInteger(type)) throw new Error(`build-msi: no custom action ${action}`);
  execFileSync('msibuild', [msi, '-q', `UPDATE \`CustomAction\` SET \`Type\` = ${type | 0x2000} WHERE \`Action\` = '${action}'`]);
}
if (signFile(msi, 'Seatkeeper Agent')) process.stdout.write(`build-msi: signed ${path.relative(root, finalMsi)}\n`);
renameSync(msi, finalMsi);
// The last build's sources stay for inspection under dist/windows/.
for (const f of ['seatkeeper-agent.wxs', 'seatkeeper-agent-service.xml', 'seatkeeper-agent-service.exe.config']) renameSync(path.join(work, f), path.join(dist, 'windows', f));
rmSync(work, { recursive: true, force: true });
process.stdout.write(`build-msi: wrote ${path.relative(root, finalMsi)}\n`);
