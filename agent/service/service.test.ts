import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeService } from './description.js';
import { renderLaunchdPlist } from './launchd.js';
import { applyPlan, installPlan, renderPlan, uninstallPlan } from './plan.js';
import { renderSystemdUnit, systemdQuote } from './systemd.js';
import { windowsBinPath, windowsInstallCommands, windowsQuote } from './windows.js';

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

  it('creates an auto-start service whose binPath quotes the path with spaces', () => {
    const [create] = windowsInstallCommands(win);
    expect(create).toEqual([
      'sc.exe',
      'create',
      'SeatkeeperAgent',
      'binPath=',
      '"C:\\Program Files\\Seatkeeper\\seatkeeper-agent.exe" run --state-dir C:\\ProgramData\\Seatkeeper',
      'start=',
      'auto',
      'DisplayName=',
      'Seatkeeper Agent',
    ]);
    expect(windowsBinPath(win)).toMatch(/^"C:\\Program Files\\/);
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
