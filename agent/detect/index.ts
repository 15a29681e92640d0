// What is installed here, by the rules of the catalog: files on Linux/macOS, registry on Windows.
import type { Product } from '../../shared/catalog.js';
import type { InventoryItem } from '../../shared/protocol/inventory.js';
import { detectFromFiles } from './files.js';
import { detectFromRegistry, runRegQuery, type RegQueryRunner } from './registry.js';

export interface DetectOptions {
  products: readonly Product[];
  platform: NodeJS.Platform;
  /** detection root for file rules (default `/`); tests point it at a temp dir */
  root?: string;
  /** `reg query` runner; injectable so Windows detection can be tested anywhere */
  regQuery?: RegQueryRunner;
}

export async function detectInstalled(opts: DetectOptions): Promise<InventoryItem[]> {
  const items =
    opts.platform === 'win32'
      ? await detectFromRegistry(opts.products, opts.regQuery ?? runRegQuery)
      : await detectFromFiles(opts.products, opts.platform === 'darwin' ? 'darwin' : 'linux', opts.root ?? '/');
  return items.sort((a, b) => (a.productCode === b.productCode ? a.path.localeCompare(b.path) : a.productCode < b.productCode ? -1 : 1));
}

export type { RegQueryRunner } from './registry.js';
