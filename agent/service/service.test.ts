import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeService } from './description.js';
import { renderLaunchdPlist } from './launchd.js';
import { applyPlan, installPlan, renderPlan, uninstallPlan } from './plan.js';
import { renderSystemdUnit, systemdQuote } from './systemd.js';
import { renderWinswXml, windowsAclCommands, windowsInstallCommands, windowsQuote, wrapperFiles } from './windows.js';

const d = describeService({ command: ['/usr/local/bin/seatkeeper-agent'], stateDir: '/var/lib/seatkeeper' });

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-svc-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('systemd unit', () => {
  it('runs the daemon with its state dir, restarts on failure, and is enabled for multi-user', () => {
    const unit = renderSystemdUnit(d);
    expect(unit).toContain('ExecStart=/usr/local/bin/seatkeeper-agent run --state-dir /var/lib/seatkeeper\n');
    expect(unit).toContain('Environment="SEATKEEPER_AGENT_HOME=/var/lib/seatkeeper"');
    expect(unit).toContain('Restart=on-failure');
    expect(unit).toContain('ReadWritePaths=/var/lib/seatkeeper');
    expect(unit).toMatch(/\[Install\]\nWantedBy=multi-user.target\n/);
  });

  it.each([
    ['/opt/seat keeper/agent', '"/opt/seat keeper/agent"'],
    ['100%', '100%%'],
    ['a"b', '"a\\"b"'],
    ['$HOME', '$$HOME'],
  ])('quotes %j for ExecStart as %s', (word, quoted) => {
    expect(systemdQuote(word)).toBe(quoted);
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze') && !existsSync('/bin/systemd-analyze'))('passes systemd-analyze verify', async () => {
    // A real executable in ExecStart (verify checks it), with a space in the state dir to exercise quoting.
    const stateDir = path.join(dir, 'state dir');
    await fs.mkdir(stateDir);
    const unitDesc = describeService({ command: [process.execPath, path.join(dir, 'agent.cjs')], stateDir });
    const file = path.join(dir, 'seatkeeper-agent.service');
    await fs.writeFile(file, renderSystemdUnit(unitDesc));
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile('systemd-analyze', ['verify', file], { timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      ),
    );
    // Lines about the unit itself are what matter; the host's other units may be noisy in a container.
    const ours = r.out.split('\n').filter((l) => l.includes('seatkeeper-agent.service'));
    expect(ours).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('launchd plist', () => {
  it('lists the program arguments, environment, and keeps the agent alive', () => {
    const plist = renderLaunchdPlist(describeService({ command: ['/usr/local/bin/seatkeeper-agent'], stateDir: '/Library/Application Support/Seatkeeper' }));
    expect(plist).toContain('<key>Label</key>\n  <string>com.seatkeeper.agent</string>');
    expect(plist).toContain(
      '    <string>/usr/local/bin/seatkeeper-agent</string>\n    <string>run</string>\n    <string>--state-dir</string>\n    <string>/Library/Application Support/Seatkeeper</string>',
    );
    expect(plist).toContain('<key>SEATKEEPER_AGENT_HOME</key>');
    expect(plist).toContain('<key>RunAtLoad</key>\n  <true/>');
    expect(plist).toContain('/Library/Application Support/Seatkeeper/logs/launchd.log');
  });

  it('escapes XML in arguments', () => {
    const plist = renderLaunchdPlist(describeService({ command: ['/opt/a&b<c>'], stateDir: '/x' }));
    expect(plist).toContain('<string>/opt/a&amp;b&lt;c&gt;</string>');
    expect(plist).not.toContain('a&b');
  });
});

describe('Windows service', () => {
  const win = describeService({ command: ['C:\\Program Files\\Seatkeeper\\seatkeeper-agent.exe'], stateDir: 'C:\\ProgramData\\Seatkeeper' });
  const wrapper = 'C:\\Program Files\\Seatkeeper\\seatkeeper-agent-service.exe';

  it('puts the WinSW wrapper and its configuration beside the agent', () => {
    expect(wrapperFiles(win)).toEqual({
      dir: 'C:\\Program Files\\Seatkeeper',
      exe: wrapper,
      xml: 'C:\\Program Files\\Seatkeeper\\seatkeeper-agent-service.xml',
      config: 'C:\\Program Files\\Seatkeeper\\seatkeeper-agent-service.exe.config',
    });
  });

  it('configures WinSW to run the daemon with its state dir, start automatically and restart on failure', () => {
    const x = renderWinswXml(win);
    expect(x).toContain('<id>SeatkeeperAgent</id>');
    expect(x).toContain('<executable>C:\\Program Files\\Seatkeeper\\seatkeeper-agent.exe</executable>');
    expect(x).toContain('<arguments>run --state-dir C:\\ProgramData\\Seatkeeper</arguments>');
    expect(x).toContain('<env name="SEATKEEPER_AGENT_HOME" value="C:\\ProgramData\\Seatkeeper"/>');
    expect(x).toContain('<startmode>Automatic</startmode>');
    expect(x.match(/<onfailure action="restart"/g)).toHaveLength(3);
    expect(x).toContain('<logpath>C:\\ProgramData\\Seatkeeper\\logs</logpath>');
    expect(x).not.toMatch(/[^\r]\n/);
  });

  it('escapes XML and quotes arguments with spaces in the WinSW configuration', () => {
    const x = renderWinswXml(describeService({ command: ['C:\\a&b\\agent.exe'], stateDir: 'C:\\State <x> Dir' }));
    expect(x).toContain('<executable>C:\\a&amp;b\\agent.exe</executable>');
    expect(x).toContain('<arguments>run --state-dir &quot;C:\\State &lt;x&gt; Dir&quot;</arguments>');
  });

  it('installs through the wrapper, sets recovery, delayed start and the ACL, then starts', () => {
    const cmds = windowsInstallCommands(win);
    expect(cmds.map((c) => c.argv.slice(0, 2).join(' '))).toEqual([
      `${wrapper} stop`,
      `${wrapper} uninstall`,
      `${wrapper} install`,
      'sc.exe failure',
      'sc.exe failureflag',
      'sc.exe config',
      'icacls C:\\ProgramData\\Seatkeeper',
      'icacls C:\\ProgramData\\Seatkeeper\\logs',
      'icacls C:\\ProgramData\\Seatkeeper\\device-key.json',
      `${wrapper} start`,
    ]);
    expect(cmds.filter((c) => c.optional).map((c) => c.argv[1] ?? '')).toEqual(['stop', 'uninstall', 'failureflag', 'config', 'C:\\ProgramData\\Seatkeeper\\device-key.json']);
  });

  it('lets every local user read the state dir but only LocalSystem and Administrators write; the key and logs stay private', () => {
    const [dir, logs, key] = windowsAclCommands('C:\\ProgramData\\Seatkeeper');
    expect(dir?.argv).toEqual(['icacls', 'C:\\ProgramData\\Seatkeeper', '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', '*S-1-5-32-545:(OI)(CI)RX']);
    for (const c of [logs, key]) {
      expect(c?.argv.join(' ')).toContain('/inheritance:r');
      expect(c?.argv.join(' ')).not.toContain('S-1-5-32-545');
    }
  });

  it('plans the wrapper files, writes the wrapper only when it is not already there, and keeps the state on uninstall', () => {
    const bytes = new Uint8Array([0x4d, 0x5a]);
    const p = installPlan(win, 'win32', { wrapperExe: bytes });
    expect(p.dirs).toEqual(['C:\\ProgramData\\Seatkeeper', 'C:\\ProgramData\\Seatkeeper\\logs']);
    expect(p.files.map((f) => f.path)).toEqual([wrapperFiles(win).xml, wrapperFiles(win).config, wrapper]);
    expect(renderPlan(p)).toContain(`# write ${wrapper} (2 bytes)`);
    expect(renderPlan(p)).toContain('# note: the service runs C:\\Program Files\\Seatkeeper\\seatkeeper-agent.exe as LocalSystem');
    expect(installPlan(win, 'win32', { wrapperExe: 'present' }).files.map((f) => f.path)).not.toContain(wrapper);
    expect(() => installPlan(win, 'win32', {})).toThrow(/WinSW service wrapper is missing/);
    const u = uninstallPlan(win, 'win32');
    expect(u.remove).toEqual([wrapperFiles(win).xml, wrapperFiles(win).config, wrapper]);
    expect(u.remove.some((r) => r.startsWith('C:\\ProgramData'))).toBe(false);
  });

  it('prepare-only (the MSI registered the service) sets recovery and the ACL without touching the wrapper', () => {
    const p = installPlan(win, 'win32', { prepareOnly: true });
    expect(p.files).toEqual([]);
    expect(p.commands.map((c) => c.argv[0])).toEqual(['sc.exe', 'sc.exe', 'sc.exe', 'icacls', 'icacls', 'icacls']);
  });

  it.each([
    ['plain', 'plain'],
    ['with space', '"with space"'],
    ['C:\\dir with space\\', '"C:\\dir with space\\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
  ])('quotes %j as %s', (arg, quoted) => {
    expect(windowsQuote(arg)).toBe(quoted);
  });
});

describe('service plans', () => {
  it('install on Linux writes the unit, reloads systemd and enables the service', () => {
    const p = installPlan(d, 'linux', { systemdDir: dir });
    expect(p.files.map((f) => f.path)).toEqual([path.join(dir, 'seatkeeper-agent.service')]);
    expect(p.commands.map((c) => c.argv)).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'seatkeeper-agent.service'],
    ]);
  });

  it('install without systemctl only writes the unit and says so', () => {
    const p = installPlan(d, 'linux', { systemdDir: dir, hasSystemctl: false });
    expect(p.commands).toEqual([]);
    expect(renderPlan(p)).toContain('# note: systemctl not found');
  });

  it('applies a plan with an injected runner; uninstall stops the service before removing the file', async () => {
    const ran: string[] = [];
    const run = async (argv: string[]) => {
      ran.push(`${argv.join(' ')} (file ${existsSync(path.join(dir, 'seatkeeper-agent.service')) ? 'present' : 'absent'})`);
      return { code: 0, output: '' };
    };
    await applyPlan(installPlan(d, 'linux', { systemdDir: dir }), run);
    expect(await fs.readFile(path.join(dir, 'seatkeeper-agent.service'), 'utf8')).toBe(renderSystemdUnit(d));
    await applyPlan(uninstallPlan(d, 'linux', { systemdDir: dir }), run);
    expect(existsSync(path.join(dir, 'seatkeeper-agent.service'))).toBe(false);
    expect(ran).toEqual([
      'systemctl daemon-reload (file present)',
      'systemctl enable --now seatkeeper-agent.service (file present)',
      'systemctl disable --now seatkeeper-agent.service (file present)',
      'systemctl daemon-reload (file present)',
    ]);
  });

  it('fails when a required command fails, but not for optional ones', async () => {
    await expect(applyPlan(installPlan(d, 'linux', { systemdDir: dir }), async () => ({ code: 1, output: 'boom' }))).rejects.toThrow(/systemctl daemon-reload.*boom/);
    await expect(applyPlan(uninstallPlan(d, 'linux', { systemdDir: dir }), async () => ({ code: 5, output: 'not loaded' }))).resolves.toBeUndefined();
  });

  it('macOS bootstraps the plist into the system domain', () => {
    const p = installPlan(d, 'darwin', { launchdDir: dir });
    expect(p.files[0]?.path).toBe(path.join(dir, 'com.seatkeeper.agent.plist'));
    expect(p.commands.at(-1)?.argv).toEqual(['launchctl', 'bootstrap', 'system', path.join(dir, 'com.seatkeeper.agent.plist')]);
  });
});
