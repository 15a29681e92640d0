import { describe, expect, it } from 'vitest';
import { demoCatalog } from '../../shared/catalog.js';
import { expandHive, parseRegQuery, valuesOf } from './reg-query.js';
import { detectFromRegistry, regQueryArgs, runRegQuery } from './registry.js';

// Output in the layout `reg query <key>` prints on Windows (CRLF line ends, four-space columns,
// subkeys listed after the key's values), reconstructed for the test rather than captured on a live machine.
const ACAD = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409',
  '    (Default)    REG_SZ    ',
  '    ProductName    REG_SZ    AutoCAD 2025',
  '    Release    REG_SZ    25.0.58.0',
  '    SerialNumber    REG_SZ    400-12345678',
  '    AcadLocation    REG_SZ    C:\\Program Files\\Autodesk\\AutoCAD 2025',
  '    Install Date    REG_SZ    2024-11-02',
  '    LangID    REG_DWORD    0x409',
  '    Flags    REG_BINARY    0A0B',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409\\AutodeskApps',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409\\Profiles',
  '    Current    REG_SZ    <<Unnamed Profile>>',
  '',
].join('\r\n');

const SW = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\SolidWorks\\SOLIDWORKS 2024\\Setup\\Premium',
  '    Version    REG_SZ    2024 SP5.0',
  '    SerialNumber    REG_SZ    9000 0000 1111 2222 3333 4444',
  '',
].join('\r\n');

describe('parseRegQuery', () => {
  it('reads every key and its values, including names with spaces and empty data', () => {
    const r = parseRegQuery(ACAD);
    expect([...r.keys()]).toHaveLength(3);
    const v = valuesOf(r, 'HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409');
    expect(v?.get('Release')).toEqual({ type: 'REG_SZ', data: '25.0.58.0' });
    expect(v?.get('Install Date')).toEqual({ type: 'REG_SZ', data: '2024-11-02' });
    expect(v?.get('(Default)')).toEqual({ type: 'REG_SZ', data: '' });
    expect(v?.get('LangID')).toEqual({ type: 'REG_DWORD', data: '0x409' });
    expect(v?.get('AcadLocation')?.data).toBe('C:\\Program Files\\Autodesk\\AutoCAD 2025');
  });

  it('keeps subkey values apart from the key asked for', () => {
    const r = parseRegQuery(ACAD);
    expect(valuesOf(r, 'HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409')?.has('Current')).toBe(false);
    expect(valuesOf(r, 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409\\Profiles')?.get('Current')?.data).toBe('<<Unnamed Profile>>');
  });

  it('returns nothing for the error text of a missing key', () => {
    expect(parseRegQuery('ERROR: The system was unable to find the specified registry key or value.\r\n').size).toBe(0);
  });

  it('expands hive abbreviations and matches keys case-insensitively', () => {
    expect(expandHive('HKLM\\SOFTWARE\\X')).toBe('HKEY_LOCAL_MACHINE\\SOFTWARE\\X');
    expect(expandHive('hkcu\\Y')).toBe('HKEY_CURRENT_USER\\Y');
    expect(valuesOf(parseRegQuery(SW), 'hklm\\software\\solidworks\\solidworks 2024\\setup\\premium')?.get('Version')?.data).toBe('2024 SP5.0');
  });
});

describe('detectFromRegistry', () => {
  it('reports the products whose keys exist, with version and serial from the rule\'s values', async () => {
    const asked: string[] = [];
    const outputs: Record<string, string> = {
      'HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409': ACAD,
      'HKLM\\SOFTWARE\\SolidWorks\\SOLIDWORKS 2024\\Setup\\Premium': SW,
    };
    const items = await detectFromRegistry(demoCatalog, async (key) => {
      asked.push(key);
      return outputs[key] ?? null;
    });
    expect(items).toEqual([
      {
        productCode: 'SW-PREMIUM',
        version: '2024 SP5.0',
        path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\SolidWorks\\SOLIDWORKS 2024\\Setup\\Premium',
        serial: '9000 0000 1111 2222 3333 4444',
      },
      { productCode: 'ACAD', version: '25.0.58.0', path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409', serial: '400-12345678' },
    ]);
    // service products have no rules and cause no queries
    expect(asked.some((k) => k.includes('BIM'))).toBe(false);
    expect(asked.length).toBe(demoCatalog.reduce((n, p) => n + (p.detect.win32?.keys.length ?? 0), 0));
  });
});

describe('regQueryArgs', () => {
  it.each([
    ['HKLM\\SOFTWARE\\Autodesk\\AutoCAD\\R25.0\\ACAD-8101:409'],
    // spaces stay inside the one argument: execFile passes it as a single argv word, no shell
    ['HKLM\\SOFTWARE\\SolidWorks\\SOLIDWORKS 2024\\Setup\\Premium'],
    ['HKEY_LOCAL_MACHINE\\SOFTWARE\\X'],
    ['hkcu\\Software\\Y'],
    ['HKU'],
  ])('queries %s in the 64-bit view', (key) => {
    expect(regQueryArgs(key)).toEqual(['query', key, '/reg:64']);
  });

  it('builds the query of every key in the catalog', () => {
    for (const p of demoCatalog) for (const key of p.detect.win32?.keys ?? []) expect(regQueryArgs(key)[1]).toBe(key);
  });

  it.each([['/f'], ['-s'], ['SOFTWARE\\Autodesk'], ['HKXX\\SOFTWARE'], ['HKLMSOFTWARE'], ['']])('refuses %j, which reg.exe would not read as a key', (key) => {
    expect(() => regQueryArgs(key)).toThrow(TypeError);
  });

  it('answers "not there" for such a key without starting reg.exe', async () => {
    expect(await runRegQuery('/f')).toBeNull();
  });
});
