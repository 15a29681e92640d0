// Parser for the text `reg query <key>` prints on Windows:
//
//   HKEY_LOCAL_MACHINE\SOFTWARE\Autodesk\AutoCAD\R25.0\ACAD-8101:409
//       ProductName    REG_SZ    AutoCAD 2025
//       Release    REG_SZ    25.0.58.0
//
// Value lines are indented by four spaces with four-space separators; value names may contain
// single spaces, so the line is split on the REG_ type token, not on whitespace.

export interface RegValue {
  type: string;
  data: string;
}

/** key (as printed) → value name → value. `(Default)` is the key's default value. */
export type RegQueryResult = Map<string, Map<string, RegValue>>;

const VALUE_LINE = /^ {4}(.*?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/;

export function parseRegQuery(text: string): RegQueryResult {
  const result: RegQueryResult = new Map();
  let current: Map<string, RegValue> | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+$/, '');
    if (line.length === 0) continue;
    if (/^HKEY_[A-Z_]+(\\|$)/.test(line)) {
      current = new Map();
      result.set(line, current);
      continue;
    }
    const m = VALUE_LINE.exec(line);
    if (m && current) {
      const [, name, type, data] = m as unknown as [string, string, string, string | undefined];
      current.set(name, { type, data: (data ?? '').trim() });
    }
  }
  return result;
}

const HIVES: Record<string, string> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKU: 'HKEY_USERS',
  HKCC: 'HKEY_CURRENT_CONFIG',
};

/** `HKLM\SOFTWARE\X` → `HKEY_LOCAL_MACHINE\SOFTWARE\X`, the form `reg query` prints. */
export function expandHive(key: string): string {
  const i = key.indexOf('\\');
  const hive = i === -1 ? key : key.slice(0, i);
  const full = HIVES[hive.toUpperCase()];
  return full ? full + (i === -1 ? '' : key.slice(i)) : key;
}

/** The values of exactly `key` (not its subkeys) in a parsed result; case-insensitive like the registry. */
export function valuesOf(result: RegQueryResult, key: string): Map<string, RegValue> | null {
  const want = expandHive(key).toLowerCase();
  for (const [k, v] of result) if (k.toLowerCase() === want) return v;
  return null;
}
