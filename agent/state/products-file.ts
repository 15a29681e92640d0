// products.json: per-product facts the server pushed that are not in a lease (method.switch).
import { z } from 'zod';
import { ActivationMethod, ProductCode } from '../../shared/protocol/common.js';
import { readValid, writeJsonAtomic } from './atomic-write.js';
import type { StatePaths } from './paths.js';

const ProductsFile = z.record(ProductCode, z.object({ method: ActivationMethod, switchedAt: z.number().int() }));
export type ProductsFile = z.infer<typeof ProductsFile>;

export async function readProducts(paths: StatePaths): Promise<ProductsFile> {
  return (await readValid(paths.products, ProductsFile)) ?? {};
}

export async function recordMethod(paths: StatePaths, productCode: string, method: ActivationMethod, now: number): Promise<void> {
  const all = await readProducts(paths);
  if (all[productCode]?.method === method) return;
  await writeJsonAtomic(paths.products, { ...all, [productCode]: { method, switchedAt: now } });
}
