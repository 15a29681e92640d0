// Detection on Windows: a product is installed when one of its registry keys exists; version and
// serial are values of that key. `reg.exe` ships with every Windows, so no native module is needed.
import type { Product } from '../../shared/catalog.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { expandHive, parseRegQuery, valuesOf } from './reg-query.js';

/** Runs `reg query <key>`; resolves its stdout, or null when the key does not exist. */
export type RegQueryRunner = (key: string) => Promise<string | null>;

/**
 * The arguments of `reg query` for one key. The key must start with a hive: one that starts with
 * `/` or `-` would be read by reg.exe as a switch (`/f`, `/s`), not as a key.
 */
export function regQueryArgs(key: string): string[] {
  if (!/^HKEY_(LOCAL_MACHINE|CURRENT_USER|CLASSES_ROOT|USERS|CURRENT_CONFIG)(\\|$)/i.test(expandHive(key))) throw new TypeError(`not a registry key (must start with a hive such as HKLM\\): ${JSON.stringify(key)}`);
  // /reg:64 reads the 64-bit view even from a 32-bit process, where CAD vendors register.
  return ['query', key, '/reg:64'];
}

// child_process is loaded when a query runs (Windows only): on other systems the daemon never
// pays for it (issue 16).
export const runRegQuery: RegQueryRunner = async (key) => {
  let args: string[];
  try {
    args = regQueryArgs(key);
  } catch {
    return null;
  }
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile('reg', args, { windowsHide: true, timeout: 10_000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      resolve(err ? null : stdout);
    });
  });
};

export async function detectFromRegistry(products: readonly Product[], query: RegQueryRunner = runRegQuery): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  for (const product of products) {
    const rule = product.detect.win32;
    if (!rule) continue;
    for (const key of rule.keys) {
      const out = await query(key);
      if (out === null) continue;
      const values = valuesOf(parseRegQuery(out), key);
      if (!values) continue;
      const pick = (name: string | undefined, max: number) => {
        const data = name ? values.get(name)?.data : undefined;
        return data ? data.slice(0, max) : null;
      };
      items.push({
        productCode: product.code,
        version: pick(rule.versionValue, 64),
        path: expandHive(key).slice(0, 1024),
        serial: pick(rule.serialValue, 128),
      });
    }
  }
  return items;
}
