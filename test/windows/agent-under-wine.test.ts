// The Windows build of the agent and its MSI, run under Wine against a real server on loopback:
// --version, enroll, inventory from registry keys written with Wine's `reg add`, sign-in with a
// device code, check before and after the server revokes the lease, check with the server down;
// the MSI inspected with msiinfo, installed, upgraded and removed with Wine's msiexec.
// What Wine cannot show is said in the tests' names: WinSW is a .NET program and Wine here has no
// .NET (no wine-mono), so the service is registered but never started; Wine's icacls is a stub,
// so the ACL commands run but change nothing; Wine's sc.exe neither keeps recovery actions nor
// knows delayed-auto start.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLeaseFile, type LeaseFile } from '../../agent/state/lease-store.js';
import { statePaths } from '../../agent/state/paths.js';
import { readDaemonStatus } from '../../agent/state/status-file.js';
import { AGENT_BUNDLE, REPO, ensureAgentBundle } from '../agent/helpers/run-agent.js';
import { e2eOrg, startE2EServer, type Person } from '../e2e/setup.js';
import { until } from '../e2e/workstation.js';
import type { TestServer } from '../helpers/server.js';
import { WinePrefix, findWine, haveTool, type WineProcess } from './wine.js';

const WINE = findWine();
const EXE = path.join(REPO, 'dist', 'seatkeeper-agent-win-x64.exe');
const MSI = path.join(REPO, 'dist', 'seatkeeper-agent-x64.msi');
const VERSION = JSON.parse(await fs.readFile(path.join(REPO, 'package.json'), 'utf8')).version as string;
// Each Wine start takes a second alone and far longer beside the rest of the suite on two cores.
const WINE_STEP = 240_000;
const runnable = WINE !== null && process.platform === 'linux' && process.arch === 'x64';
// CI installs wine64, msitools and wixl (.ci/run): there a missing Wine is a failure, not a skip.
if (!runnable && process.env.CI) throw new Error('the Windows tests need wine64 on linux-x64 (apt-get install wine64 msitools wixl)');

const sha256 = async (file: string) => createHash('sha256').update(await fs.readFile(file)).digest('hex');

const exec = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeout = 300_000) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(cmd, args, { cwd: REPO, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );

/** dist/seatkeeper-agent-win-x64.exe and the MSI, rebuilt when older than the agent bundle. */
async function ensureWindowsBuild(): Promise<void> {
  await ensureAgentBundle();
  const bundle = statSync(AGENT_BUNDLE).mtimeMs;
  if (existsSync(EXE) && existsSync(MSI) && statSync(EXE).mtimeMs > bundle && statSync(MSI).mtimeMs > statSync(EXE).mtimeMs) return;
  const r = await exec(process.execPath, ['scripts/package-agent.mjs'], { ...process.env, SEATKEEPER_PACKAGE_TARGETS: 'win32-x64' });
  if (r.code !== 0) throw new Error(`package-agent (win32-x64) failed: ${r.stderr}`);
}

let wine: WinePrefix;
let server: TestServer | undefined;
let org: Awaited<ReturnType<typeof e2eOrg>>;
let alice: Person;
let bob: Person;
const daemons: WineProcess[] = [];
const STATE = 'C:\\sk\\station';
const agentEnv = { SEATKEEPER_LOG_LEVEL: 'warn' };
const agent = (args: string[], timeoutMs = 180_000) => wine.run([WinePrefix.win(EXE), ...args, '--state-dir', STATE], agentEnv, timeoutMs);
const unixState = () => statePaths(wine.unix(STATE));
const waitLease = (code: string, kind: LeaseFile['kind']) =>
  until(`${code} lease ${kind}`, async () => ((await readLeaseFile(unixState(), code)).kind === kind ? true : null), 60_000, 100);
const reg = (...args: string[]) => wine.run(['reg', ...args]);

beforeAll(async () => {
  if (!runnable) return;
  await ensureWindowsBuild();
  wine = await WinePrefix.create(WINE!);
  server = await startE2EServer();
  org = await e2eOrg(server);
  [alice, bob] = (await org.people(2)) as [Person, Person];
}, 600_000);

afterAll(async () => {
  for (const d of daemons) d.child.kill('SIGKILL');
  await wine?.dispose();
  await server?.stop();
}, 120_000);

describe.runIf(runnable)('the Windows agent under Wine', () => {
  it('prints its version from the single executable, without warnings', async () => {
    const r = await wine.run([WinePrefix.win(EXE), '--version']);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, WINE_STEP);

  it('carries WinSW: install-service --dry-run plans the wrapper beside the exe, its XML, recovery and the ACL', async () => {
    // A copy alone in its folder: beside dist/'s copy of WinSW the exe would use that one.
    const dir = 'C:\\sk\\bare';
    await fs.mkdir(wine.unix(dir), { recursive: true });
    await fs.copyFile(EXE, path.join(wine.unix(dir), 'seatkeeper-agent.exe'));
    const r = await wine.run([`${dir}\\seatkeeper-agent.exe`, 'install-service', '--dry-run', '--state-dir', STATE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`# write ${dir}\\seatkeeper-agent-service.exe (59392 bytes)`);
    expect(r.stdout).toContain('<id>SeatkeeperAgent</id>');
    expect(r.stdout).toContain(`# run: ${dir}\\seatkeeper-agent-service.exe install`);
    expect(r.stdout).toContain('# run: icacls C:\\sk\\station /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX');
  }, WINE_STEP);

  it('detects nothing in an empty registry, then SOLIDWORKS and AutoCAD from the keys reg add writes', async () => {
    const none = await agent(['inventory', '--json']);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout).items).toEqual([]);

    const sw = 'HKLM\\SOFTWARE\\SolidWorks\\SOLIDWORKS 2025\\Setup\\Premium';
    const acad = 'HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409';
    for (const [key, name, data] of [
      [sw, 'Version', '33.1.0'],
      [sw, 'SerialNumber', '9000 0000 1111 2222'],
      [acad, 'Release', '25.0.58.0'],
      [acad, 'SerialNumber', org.serial],
    ] as const) {
      expect((await reg('add', key, '/v', name, '/d', data, '/f', '/reg:64')).code).toBe(0);
    }
    const found = await agent(['inventory', '--json']);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).items).toEqual([
      { productCode: 'ACAD', version: '25.0.58.0', path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409', serial: org.serial },
      { productCode: 'SW-PREMIUM', version: '33.1.0', path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\SolidWorks\\SOLIDWORKS 2025\\Setup\\Premium', serial: '9000 0000 1111 2222' },
    ]);
  }, WINE_STEP);

  it('enrolls against the real server', async () => {
    const r = await agent(['enroll', '--server', server!.url, '--token', org.token, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { deviceId } = JSON.parse(r.stdout);
    const devices = await org.admin.get(`${org.base}/devices`);
    expect(devices.body.devices.map((d: { id: string }) => d.id)).toContain(deviceId);
    expect((await agent(['check', 'SW-PREMIUM'])).code).toBe(1);
  }, WINE_STEP);

  it('runs, reports its inventory, signs in with a device code: check 0; the server revokes the seat while it runs: check 1', async () => {
    const assigned = await org.admin.post(`${org.base}/assignments`, { lineId: org.line('SW-PREMIUM').id, accountId: alice.id });
    expect(assigned.status).toBe(201);
    const daemon = wine.spawn([WinePrefix.win(EXE), 'run', '--state-dir', STATE], agentEnv);
    daemons.push(daemon);
    await until('daemon connected', async () => {
      if (daemon.child.exitCode !== null) throw new Error(`daemon exited ${daemon.child.exitCode}: ${daemon.stderr}`);
      return (await readDaemonStatus(unixState()))?.connected === true;
    }, 120_000, 200);

    const login = wine.spawn([WinePrefix.win(EXE), 'login', '--json', '--timeout', '90', '--state-dir', STATE], agentEnv);
    const code = await until('the device code', () => /"userCode":"([A-Z]{4}-[A-Z]{4})"/.exec(login.stdout)?.[1], 120_000, 200);
    const activated = await alice.client.post('/api/v1/device-codes/activate', { userCode: code });
    expect(activated.status).toBe(200);
    expect(await login.exited).toBe(0);
    const done = JSON.parse(login.stdout.trim().split(/\r?\n/).at(-1)!);
    expect(done).toMatchObject({ event: 'done', account: { id: alice.id }, products: expect.arrayContaining(['SW-PREMIUM']) });

    const ok = await agent(['check', 'SW-PREMIUM', '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ mayRun: true, method: 'named-user' });
    expect(ok.code).toBe(0);
    await waitLease('ACAD', 'held');

    const devices = await org.admin.get(`${org.base}/devices`);
    const mine = devices.body.devices.find((d: { signedInAccount?: { id: string } }) => d.signedInAccount?.id === alice.id);
    expect(mine.inventory.map((i: { productCode: string }) => i.productCode).sort()).toEqual(['ACAD', 'SW-PREMIUM']);

    const reassigned = await org.admin.post(`${org.base}/assignments/${assigned.body.id}/reassign`, { accountId: bob.id });
    expect(reassigned.status).toBe(200);
    await waitLease('SW-PREMIUM', 'revoked');
    const denied = await agent(['check', 'SW-PREMIUM', '--json']);
    expect(JSON.parse(denied.stdout)).toMatchObject({ mayRun: false, reason: 'revoked', revokeReason: 'reassigned' });
    expect(denied.code).toBe(1);
  }, 400_000);
});

describe.runIf(runnable)('the MSI', () => {
  const msiinfo = async (table: string) => {
    const r = await exec('msiinfo', ['export', MSI, table]);
    expect(r.code).toBe(0);
    // Rows after the three header lines (names, types, table name and keys).
    return r.stdout.split(/\r?\n/).slice(3).filter(Boolean).map((l) => l.split('\t'));
  };
  const msiexec = (args: string[], env: Record<string, string> = {}) => wine.run(['msiexec', ...args, '/qn'], env, 300_000);
  const programFiles = () => wine.unix('C:\\Program Files\\Seatkeeper');
  const programData = () => statePaths(wine.unix('C:\\ProgramData\\Seatkeeper'));
  const serviceKey = 'HKLM\\System\\CurrentControlSet\\Services\\SeatkeeperAgent';
  const deviceIds = async () => (await org.admin.get(`${org.base}/devices`)).body.devices.map((d: { id: string }) => d.id) as string[];
  const installedVersions = async () => {
    const r = await reg('query', 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall', '/s');
    return [...r.stdout.matchAll(/DisplayName\s+REG_SZ\s+Seatkeeper Agent[\s\S]*?DisplayVersion\s+REG_SZ\s+(\S+)|DisplayVersion\s+REG_SZ\s+(\S+)[\s\S]*?DisplayName\s+REG_SZ\s+Seatkeeper Agent/g)].map((m) => m[1] ?? m[2]);
  };

  it.runIf(haveTool('msiinfo'))('holds the agent, WinSW and its configuration, the service and the silent-install properties (msiinfo)', async () => {
    expect((await msiinfo('File')).map((r) => r[2]).sort()).toEqual(['seatkeeper-agent-service.exe', 'seatkeeper-agent-service.exe.config', 'seatkeeper-agent-service.xml', 'seatkeeper-agent.exe']);
    const [svc] = await msiinfo('ServiceInstall');
    // Name, display name, own process (16), auto start (2), normal errors (1), LocalSystem, in the wrapper's component.
    expect([svc![1], svc![2], svc![3], svc![4], svc![5], svc![8], svc![11]]).toEqual(['SeatkeeperAgent', 'Seatkeeper Agent', '16', '2', '1', 'LocalSystem', 'ServiceWrapper']);
    const controls = await msiinfo('ServiceControl');
    // 0x2 stop on install, 0x20 stop on uninstall, 0x80 delete on uninstall.
    expect(controls.map((r) => [r[1], r[2]])).toEqual([['SeatkeeperAgent', '162']]);
    const props = Object.fromEntries((await msiinfo('Property')).map((r) => [r[0], r[1]]));
    expect(props).toMatchObject({ MsiHiddenProperties: 'ENROLL_TOKEN', START_SERVICE: '1', UpgradeCode: '{BBE189FB-DA4F-447C-B391-CF5B94326727}', ProductVersion: VERSION });
    expect(props.SecureCustomProperties?.split(';')).toEqual(expect.arrayContaining(['SERVER_URL', 'ENROLL_TOKEN', 'PURGE_STATE', 'START_SERVICE', 'WIX_UPGRADE_DETECTED']));
    const actions = Object.fromEntries((await msiinfo('CustomAction')).map((r) => [r[0], { type: Number(r[1]), target: r[3] }]));
    expect(actions.EnrollAgent?.target).toContain('enroll --server "[SERVER_URL]" --token "[ENROLL_TOKEN]"');
    expect(actions.EnrollAgent!.type & 0x2000).toBe(0x2000);
    expect(actions.PrepareService?.target).toBe('install-service --prepare-only --state-dir "[CommonAppDataFolder]Seatkeeper"');
    const seq = Object.fromEntries((await msiinfo('InstallExecuteSequence')).map((r) => [r[0], Number(r[2])]));
    expect(seq.RemoveExistingProducts).toBeLessThan(seq.InstallFiles!);
    expect(seq.InstallServices).toBeLessThan(seq.EnrollAgent!);
    expect(seq.EnrollAgent).toBeLessThan(seq.PrepareService!);
    expect(seq.PrepareService).toBeLessThan(seq.StartService!);
  }, WINE_STEP);

  it.runIf(haveTool('osslsigncode') && haveTool('openssl'))('is signed with Authenticode when the operator gives a certificate (a throwaway one here)', async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-sign-'));
    try {
      const key = path.join(dir, 'key.pem');
      const cert = path.join(dir, 'cert.pem');
      const made = await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=Seatkeeper Test Signing', '-addext', 'extendedKeyUsage=codeSigning']);
      expect(made.code).toBe(0);
      const out = path.join(dir, 'signed.msi');
      const built = await exec(process.execPath, ['scripts/windows/build-msi.mjs', '--out', out], { ...process.env, SEATKEEPER_SIGN_CERT: cert, SEATKEEPER_SIGN_KEY: key });
      expect(built.stdout).toContain('build-msi: signed');
      expect(built.code).toBe(0);
      const verified = await exec('osslsigncode', ['verify', '-in', out, '-CAfile', cert]);
      expect(verified.stdout).toContain('Seatkeeper Test Signing');
      expect(verified.stdout).toMatch(/Signature verification: ok/);
      // The unsigned build has no signature at all.
      expect((await exec('osslsigncode', ['verify', '-in', MSI, '-CAfile', cert])).code).not.toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, WINE_STEP);

  it('WinSW cannot run under this Wine (.NET is missing), so the installs below pass START_SERVICE=0 and no service start is shown', async () => {
    const r = await wine.run([WinePrefix.win(path.join(REPO, 'dist', 'seatkeeper-agent-service.exe')), 'status']);
    expect(r.code).not.toBe(0);
  }, WINE_STEP);

  it('installs silently and enrolls with SERVER_URL and ENROLL_TOKEN; registers the auto-start LocalSystem service around WinSW', async () => {
    const before = await deviceIds();
    const r = await msiexec(['/i', WinePrefix.win(MSI), `SERVER_URL=${server!.url}`, `ENROLL_TOKEN=${org.token}`, 'START_SERVICE=0']);
    expect(r.code).toBe(0);
    expect((await fs.readdir(programFiles())).sort()).toEqual(['seatkeeper-agent-service.exe', 'seatkeeper-agent-service.exe.config', 'seatkeeper-agent-service.xml', 'seatkeeper-agent.exe']);
    const xml = await fs.readFile(path.join(programFiles(), 'seatkeeper-agent-service.xml'), 'utf8');
    expect(xml).toContain('<executable>%BASE%\\seatkeeper-agent.exe</executable>');
    expect(xml).toContain('<arguments>run --state-dir %ProgramData%\\Seatkeeper</arguments>');

    const svc = await reg('query', serviceKey);
    expect(svc.stdout).toMatch(/ImagePath\s+REG_(EXPAND_)?SZ\s+"?C:\\Program Files\\Seatkeeper\\seatkeeper-agent-service\.exe"?/);
    expect(svc.stdout).toMatch(/Start\s+REG_DWORD\s+0x2/);
    expect(svc.stdout).toMatch(/ObjectName\s+REG_SZ\s+LocalSystem/);

    const config = JSON.parse(await fs.readFile(programData().config, 'utf8'));
    expect(config.server).toBe(server!.url);
    expect(await deviceIds()).toEqual([...before, config.deviceId]);
    // What `check` reads is there for any user; the state dir exists with its logs folder (the ACL commands ran; Wine's icacls changes nothing).
    expect(existsSync(programData().logs)).toBe(true);
    expect(await installedVersions()).toEqual([VERSION]);
  }, 400_000);

  it('upgrades to a newer version: the binary is replaced, the service stays registered, the enrollment is kept and not repeated', async () => {
    const config = JSON.parse(await fs.readFile(programData().config, 'utf8'));
    const before = await deviceIds();
    const next = VERSION.replace(/(\d+)$/, (p) => String(Number(p) + 1));
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-msi-'));
    try {
      const newer = path.join(dir, 'seatkeeper-agent-x64.msi');
      const built = await exec(process.execPath, ['scripts/windows/build-msi.mjs', '--version', next, '--out', newer]);
      expect(built.code).toBe(0);
      // The installed binary stands in for an old build: the upgrade must put the current one back.
      const installed = path.join(programFiles(), 'seatkeeper-agent.exe');
      await fs.writeFile(installed, 'an older build');
      // The same command line a management tool pushes for every version.
      const r = await msiexec(['/i', WinePrefix.win(newer), `SERVER_URL=${server!.url}`, `ENROLL_TOKEN=${org.token}`, 'START_SERVICE=0']);
      expect(r.code).toBe(0);
      expect(await installedVersions()).toEqual([next]);
      expect(await sha256(installed)).toBe(await sha256(EXE));
      expect((await reg('query', serviceKey)).code).toBe(0);
      expect(JSON.parse(await fs.readFile(programData().config, 'utf8')).deviceId).toBe(config.deviceId);
      expect(await deviceIds()).toEqual(before);

      // Uninstall: the service and the files go, the enrollment stays.
      expect((await msiexec(['/x', WinePrefix.win(newer)])).code).toBe(0);
      expect((await reg('query', serviceKey)).code).not.toBe(0);
      expect(existsSync(path.join(programFiles(), 'seatkeeper-agent.exe'))).toBe(false);
      expect(JSON.parse(await fs.readFile(programData().config, 'utf8')).deviceId).toBe(config.deviceId);
      expect(await installedVersions()).toEqual([]);

      // Installed again over the kept state: no second enrollment; PURGE_STATE=1 on uninstall deletes the state.
      expect((await msiexec(['/i', WinePrefix.win(newer), `SERVER_URL=${server!.url}`, `ENROLL_TOKEN=${org.token}`, 'START_SERVICE=0'])).code).toBe(0);
      expect(await deviceIds()).toEqual(before);
      expect((await msiexec(['/x', WinePrefix.win(newer), 'PURGE_STATE=1'])).code).toBe(0);
      expect(existsSync(programData().dir)).toBe(false);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe.runIf(runnable)('the Windows agent with the server down', () => {
  it('checks from the cached lease: 0 for the held serial lease, 1 for the revoked one', async () => {
    for (const d of daemons) d.child.kill('SIGKILL');
    await Promise.all(daemons.map((d) => d.exited));
    await server?.stop();
    server = undefined;
    const ok = await agent(['check', 'ACAD', '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ mayRun: true, method: 'serial' });
    expect(ok.code).toBe(0);
    expect((await agent(['check', 'SW-PREMIUM'])).code).toBe(1);
  }, WINE_STEP);
});
