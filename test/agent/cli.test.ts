// The CLI as a script sees it: `node dist/agent.cjs ...`, exit codes and output.
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCommands } from '../../agent/cli.js';
import { writeHeldLease, writeTombstone } from '../../agent/state/lease-store.js';
import { generateLeaseKeyPair, signLease, type LeaseClaimsInput, type LeaseKeyPair } from '../../shared/lease.js';
import { ensureAgentBundle, runAgent } from './helpers/run-agent.js';
import { makeEnrolledState, tempDir, type TestState } from './helpers/state.js';

const commands = await loadCommands();
let leaseKey: LeaseKeyPair;
let st: TestState;
const nowS = Math.floor(Date.now() / 1000);

const claims = (over: Partial<LeaseClaimsInput>): LeaseClaimsInput => ({
  sub: 'acc_alice',
  org: 'org_test',
  dev: 'dev_cli',
  prod: 'ACAD',
  meth: 'named-user',
  seat: 'line_1',
  iat: nowS - 60,
  exp: nowS + 3600,
  jti: `lease_${Math.random().toString(36).slice(2)}`,
  ...over,
});

beforeAll(async () => {
  await ensureAgentBundle();
  leaseKey = await generateLeaseKeyPair();
  const other = await generateLeaseKeyPair();
  st = await makeEnrolledState({ leaseKey, deviceId: 'dev_cli' });
  const put = async (prod: string, over: Partial<LeaseClaimsInput>, key = leaseKey) =>
    writeHeldLease(st.paths, prod, await signLease(key.privateKey, claims({ prod, ...over })), Date.now());
  await put('ACAD', {});
  await put('REVIT', {}, other);
  await put('SW-STD', { dev: 'dev_elsewhere' });
  await put('SW-PRO', { iat: nowS - 7200, exp: nowS - 10 });
  await put('SW-PREMIUM', { meth: 'serial', sub: 'serial:9000-1111' });
  await writeTombstone(st.paths, 'MYSW-PRO', { jti: 'lease_x', reason: 'reassigned', at: Date.now() });
});

afterAll(async () => {
  await fs.rm(st.dir, { recursive: true, force: true });
});

describe('agent CLI', () => {
  it('prints its version', async () => {
    const r = await runAgent(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.stdout.trim()).not.toBe('0.0.0-dev');
  });

  it.each([
    [[], /usage: seatkeeper-agent <command>/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['check'], /wrong number of arguments/],
    [['check', 'ACAD', 'REVIT'], /wrong number of arguments/],
    [['check', 'not a product'], /not a product code/],
    [['check', 'ACAD', '--bogus'], /Unknown option '--bogus'/],
    [['status', 'extra'], /unexpected argument "extra"/],
    [['enroll', '--token', 'x'], /--server URL/],
    [['enroll', '--server', 'ftp://x', '--token', 'x'], /--server URL/],
    [['enroll', '--server', 'http://127.0.0.1:9'], /--token T is required/],
    [['login', '--timeout', 'soon'], /--timeout must be/],
  ])('exits 2 with usage for %j', async (args, message) => {
    const r = await runAgent(args.length > 0 ? [...args, '--state-dir', st.dir] : []);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('lists every command in its help', async () => {
    const r = await runAgent(['--help']);
    expect(r.code).toBe(0);
    const listed = r.stdout.split('\n').flatMap((l) => /^ {2}([a-z-]+) {2,}/.exec(l)?.[1] ?? []);
    expect(listed).toEqual(commands.map((c) => c.name));
  });

  describe.each(commands.map((c) => [c.name]))('%s', (name) => {
    it('answers --help with exit 0 and its usage', async () => {
      const r = await runAgent([name, '--help', '--state-dir', st.dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: seatkeeper-agent ${name}[ \n]`));
      expect(r.stdout).toContain('--help');
      expect(r.stderr).toBe('');
    });

    it('refuses an unknown flag with its usage and exit 2, before doing anything', async () => {
      const r = await runAgent([name, '--no-such-flag', '--state-dir', st.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`seatkeeper-agent ${name}: Unknown option '--no-such-flag'`);
      expect(r.stderr).toContain(`usage: seatkeeper-agent ${name}`);
      expect(r.stdout).toBe('');
    });
  });

  it('prints per-command help with exit 0', async () => {
    const r = await runAgent(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: seatkeeper-agent check PRODUCT');
  });

  it('exits 2 from check when not enrolled', async () => {
    const empty = await tempDir('sk-empty-');
    const r = await runAgent(['check', 'ACAD'], { SEATKEEPER_AGENT_HOME: empty });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not enrolled');
    await fs.rm(empty, { recursive: true, force: true });
  });

  it.each([
    ['ACAD', 0, 'ACAD: ok (named-user'],
    ['SW-PREMIUM', 0, 'SW-PREMIUM: ok (serial'],
    ['REVIT', 1, 'REVIT: may not run: tampered'],
    ['SW-STD', 1, 'SW-STD: may not run: wrong-device'],
    ['SW-PRO', 1, 'SW-PRO: may not run: expired'],
    ['MYSW-PRO', 1, 'MYSW-PRO: may not run: revoked: reassigned'],
    ['BIM-COLLAB', 1, 'BIM-COLLAB: may not run: no-lease'],
  ])('check %s exits %i', async (product, code, line) => {
    const r = await runAgent(['check', product, '--state-dir', st.dir]);
    expect(r.code).toBe(code);
    expect(r.stdout).toContain(line);
  });

  it('check takes a product code in any case', async () => {
    const r = await runAgent(['check', 'sw-premium', '--state-dir', st.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SW-PREMIUM: ok (serial');
    expect((await runAgent(['check', 'Bim-Collab', '--state-dir', st.dir])).stdout).toContain('BIM-COLLAB: may not run: no-lease');
  });

  it('check says a code the catalog does not know is unknown, exit 2 (not no-lease)', async () => {
    const r = await runAgent(['check', 'NOPE', '--state-dir', st.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown product NOPE: not in the catalog (');
    expect(r.stderr).toContain('SW-PREMIUM');
  });

  it('check still checks a code this catalog lacks when a lease is cached for it (a newer server\'s product)', async () => {
    await writeHeldLease(st.paths, 'FUTURE-CAD', await signLease(leaseKey.privateKey, claims({ prod: 'FUTURE-CAD' })), Date.now());
    try {
      const r = await runAgent(['check', 'future-cad', '--state-dir', st.dir]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('FUTURE-CAD: ok');
    } finally {
      await fs.rm(st.paths.lease('FUTURE-CAD'), { force: true });
    }
  });

  it('check --json gives the reason and revoke reason', async () => {
    const r = await runAgent(['check', 'MYSW-PRO', '--json'], { SEATKEEPER_AGENT_HOME: st.dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ mayRun: false, ok: false, productCode: 'MYSW-PRO', reason: 'revoked', revokeReason: 'reassigned' });
  });

  it('check refuses once the clock was rolled back more than 5 minutes (SEATKEEPER_FAKE_NOW)', async () => {
    const dir = await tempDir('sk-clock-');
    const s = await makeEnrolledState({ leaseKey, deviceId: 'dev_clock', dir });
    await writeHeldLease(s.paths, 'ACAD', await signLease(leaseKey.privateKey, claims({ dev: 'dev_clock' })), Date.now());
    const at = (ms: number) => runAgent(['check', 'ACAD', '--state-dir', dir], { SEATKEEPER_FAKE_NOW: String(ms) });
    const t0 = Date.now();
    expect((await at(t0 + 30 * 60_000)).code).toBe(0);
    expect((await at(t0 + 26 * 60_000)).code).toBe(0);
    const back = await at(t0);
    expect(back.code).toBe(1);
    expect(back.stdout).toContain('clock-rolled-back');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('status --json lists each product with its state', async () => {
    const r = await runAgent(['status', '--json', '--state-dir', st.dir]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ enrolled: true, deviceId: 'dev_cli', daemon: null, signedIn: null });
    expect(Object.fromEntries(report.products.map((p: { productCode: string; state: string }) => [p.productCode, p.state]))).toEqual({
      ACAD: 'valid',
      'MYSW-PRO': 'revoked',
      REVIT: 'tampered',
      'SW-PREMIUM': 'valid',
      'SW-PRO': 'expired',
      'SW-STD': 'wrong-device',
    });
    const human = await runAgent(['status', '--state-dir', st.dir]);
    expect(human.stdout).toContain('daemon      not running');
    expect(human.stdout).toMatch(/MYSW-PRO\s+-\s+revoked: reassigned/);
  });

  it('inventory reads the detection root from the environment', async () => {
    const root = await tempDir('sk-root-');
    await fs.mkdir(`${root}/opt/autodesk/revit-2025/bin`, { recursive: true });
    await fs.writeFile(`${root}/opt/autodesk/revit-2025/bin/revit`, '');
    const r = await runAgent(['inventory', '--json', '--state-dir', st.dir], { SEATKEEPER_DETECT_ROOT: root });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items).toEqual([{ productCode: 'REVIT', version: null, path: `${root}/opt/autodesk/revit-2025`, serial: null }]);
    await fs.rm(root, { recursive: true, force: true });
  });

  it('install-service --dry-run prints the unit and the commands without applying them', async () => {
    const r = await runAgent(['install-service', '--dry-run', '--state-dir', st.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ExecStart=${process.execPath}`);
    expect(r.stdout).toContain(`run --state-dir ${st.dir}`);
    expect(r.stdout).toMatch(/# run: systemctl enable --now seatkeeper-agent.service|# note: systemctl not found/);
    const u = await runAgent(['uninstall-service', '--dry-run', '--state-dir', st.dir]);
    expect(u.stdout).toContain('# remove /etc/systemd/system/seatkeeper-agent.service');
  });
});
