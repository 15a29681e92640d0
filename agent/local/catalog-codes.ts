// The product codes of the catalog the agent detects with (shared/catalog.ts demoCatalog), for
// `check` to tell a typo from "no lease" without loading the catalog's schemas (zod).
// test/agent/lean-shapes.test.ts holds the list equal to the catalog's.
export const CATALOG_CODES: readonly string[] = ['SW-STD', 'SW-PRO', 'SW-PREMIUM', 'ACAD', 'REVIT', 'BIM-COLLAB', 'MYSW-PRO'];
