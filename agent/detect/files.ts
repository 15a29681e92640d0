// Detection on Linux and macOS: a product is installed where one of its globs matches under the
// detection root; its version and activation serial come from small text files in the install dir.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DetectionRule, Product } from '../../shared/catalog.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { expandGlob } from './glob.js';

/** Version and serial files are a line of text; anything longer is not what we are looking for. */
const MAX_SMALL_FILE_BYTES = 4096;

export async function detectFromFiles(products: readonly Product[], platform: 'linux' | 'darwin', root: string): Promise<InventoryItem[]> {
  const items: InventoryItem[] = [];
  for (const product of products) {
    const rule = product.detect[platform];
    if (!rule) continue;
    const seen = new Set<string>();
    for (const pattern of rule.paths) {
      for (const match of await expandGlob(root, pattern)) {
        if (seen.has(match.installDir)) continue;
        seen.add(match.installDir);
        items.push(await describeInstall(product.code, rule, match.installDir));
      }
    }
  }
  return items;
}

async function describeInstall(productCode: string, rule: DetectionRule, installDir: string): Promise<InventoryItem> {
  return {
    productCode,
    version: rule.versionFile ? await readFirstLine(path.join(installDir, rule.versionFile), 64) : null,
    path: installDir.slice(0, 1024),
    serial: rule.serialFile ? await readFirstLine(path.join(installDir, rule.serialFile), 128) : null,
  };
}

async function readFirstLine(file: string, maxLength: number): Promise<string | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(MAX_SMALL_FILE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const line = buf.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
    return line.length > 0 ? line.slice(0, maxLength) : null;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
