import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Product as StoreProduct } from '../server/domain/model.js';
import { demoCatalog, Product } from './catalog.js';

describe('demo catalog', () => {
  it('holds the seven demo products, each valid against the schema', () => {
    expect(demoCatalog.map((p) => p.code)).toEqual(['SW-STD', 'SW-PRO', 'SW-PREMIUM', 'ACAD', 'REVIT', 'BIM-COLLAB', 'MYSW-PRO']);
    for (const p of demoCatalog) expect(Product.safeParse(p).success, p.code).toBe(true);
  });

  it('gives every desktop product a Linux and a Windows rule, and services none', () => {
    for (const p of demoCatalog) {
      if (p.kind === 'desktop') expect(p.detect.linux && p.detect.win32, p.code).toBeTruthy();
      else expect(p.detect).toEqual({});
    }
    expect(demoCatalog.find((p) => p.code === 'BIM-COLLAB')?.needsProjectMembership).toBe(true);
  });

  it('refuses detection paths that escape the root', () => {
    const bad = { ...demoCatalog[0], detect: { linux: { paths: ['../etc/passwd'] } } };
    expect(Product.safeParse(bad).success).toBe(false);
  });

  it('matches the store Product type', () => {
    expectTypeOf<Product>().toEqualTypeOf<StoreProduct>();
  });
});
