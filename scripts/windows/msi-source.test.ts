// The MSI's WiX source as text: versions, the WinSW configuration it installs, escaping, the silent-install wiring.
import { describe, expect, it } from 'vitest';
import { msiVersion, msiWinswXml, renderWxs, UPGRADE_CODE } from './msi-source.js';

const src = { agentExe: '../a&b.exe', wrapperExe: 'w.exe', wrapperConfig: 'w.exe.config', wrapperXml: 'w.xml' };

describe('MSI source', () => {
  it.each([
    ['0.1.0', '0.1.0'],
    ['2.3.4-beta.1', '2.3.4'],
  ])('turns version %s into ProductVersion %s', (v, want) => {
    expect(msiVersion(v)).toBe(want);
  });

  it.each(['256.0.0', '1.256.0', '1.0.65536', 'v1', ''])('refuses %j as a ProductVersion', (v) => {
    expect(() => msiVersion(v)).toThrow();
  });

  it('keeps the UpgradeCode and escapes file paths', () => {
    const wxs = renderWxs('1.2.3', src);
    expect(wxs).toContain(`UpgradeCode="${UPGRADE_CODE}"`);
    expect(wxs).toContain('Version="1.2.3"');
    expect(wxs).toContain('Source="../a&amp;b.exe"');
    expect(wxs).not.toContain('a&b');
  });

  it('enrolls only with a token and a server, never on uninstall, and only where no enrollment is kept', () => {
    const wxs = renderWxs('1.2.3', src);
    expect(wxs).toContain('<Custom Action="EnrollAgent" Sequence="5801">ENROLL_TOKEN AND SERVER_URL AND NOT (REMOVE~="ALL")</Custom>');
    expect(wxs).toContain('if not exist &quot;[CommonAppDataFolder]Seatkeeper\\config.json&quot;');
    expect(wxs).toContain('<Custom Action="PurgeState" Sequence="3501">REMOVE~="ALL" AND PURGE_STATE="1" AND NOT UPGRADINGPRODUCTCODE</Custom>');
    expect(wxs).toContain('<Property Id="MsiHiddenProperties" Value="ENROLL_TOKEN"/>');
  });

  it('points WinSW at the agent beside it and the state under %ProgramData%, expanded when the service starts', () => {
    const xml = msiWinswXml();
    expect(xml).toContain('<executable>%BASE%\\seatkeeper-agent.exe</executable>');
    expect(xml).toContain('<arguments>run --state-dir %ProgramData%\\Seatkeeper</arguments>');
    expect(xml).toContain('<logpath>%ProgramData%\\Seatkeeper\\logs</logpath>');
  });
});
