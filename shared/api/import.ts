// Bulk import of members (email, name, role, team, products) and seat assignments (email, product,
// contract) from a spreadsheet, sent in chunks: each row keeps its line number in the file so that
// every result points back at it. Cells arrive as text and are checked row by row by the planner,
// so one malformed row is refused alone instead of failing its chunk.
import { z } from 'zod';

/** rows per request; a client sends a longer file in chunks (the body limit is 64 KiB anyway) */
export const MAX_IMPORT_ROWS = 1000;
/** JSON bytes of rows per request: the body limit is 64 KiB, and a part must stay under it. */
export const IMPORT_CHUNK_BYTES = 48 * 1024;

/** A file's rows cut into requests: at most MAX_IMPORT_ROWS rows and IMPORT_CHUNK_BYTES of JSON each (seatctl and the portal alike). */
export function importChunks<T>(rows: readonly T[]): T[][] {
  const encoder = new TextEncoder();
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const r of rows) {
    const size = encoder.encode(JSON.stringify(r)).length + 1;
    if (cur.length && (bytes + size > IMPORT_CHUNK_BYTES || cur.length >= MAX_IMPORT_ROWS)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

const Cell = z.string().max(1000);

export const ImportKind = z.enum(['members', 'assignments']);
export type ImportKind = z.infer<typeof ImportKind>;

export const ImportRow = z.strictObject({
  /** the row's line number in the file (the header is line 1) */
  line: z.number().int().min(1).max(10_000_000),
  email: Cell,
  name: Cell.optional(),
  role: Cell.optional(),
  /** a team's name */
  team: Cell.optional(),
  /** members: product codes separated by `;` or spaces */
  products: Cell.optional(),
  /** assignments: one product code */
  product: Cell.optional(),
  /** assignments: a contract number, when the product is on several contracts */
  contract: Cell.optional(),
});
export type ImportRow = z.infer<typeof ImportRow>;

export const ImportBody = z.strictObject({
  kind: ImportKind,
  /** plan only: report what would change and write nothing */
  dryRun: z.boolean().default(false),
  rows: z.array(ImportRow).min(1).max(MAX_IMPORT_ROWS),
});
export type ImportBody = z.infer<typeof ImportBody>;

export const ImportStatus = z.enum(['done', 'unchanged', 'refused']);
export type ImportStatus = z.infer<typeof ImportStatus>;

export const ImportRowResult = z.object({
  line: z.number(),
  email: z.string(),
  status: ImportStatus,
  /** refused: the error code (VALIDATION_FAILED, SEAT_LIMIT_REACHED, NOT_FOUND, FORBIDDEN …) */
  code: z.string().optional(),
  /** refused: why, in words */
  reason: z.string().optional(),
  /** done: what changed (or would, in a dry run) */
  changes: z.array(z.string()),
  /** near misses and other things worth a look, whatever the status */
  warnings: z.array(z.string()),
});
export type ImportRowResult = z.infer<typeof ImportRowResult>;

/** Per contract line: free seats before this chunk, and how many its rows took (or would take). */
export const ImportLineSeats = z.object({ lineId: z.string(), productCode: z.string(), contractNumber: z.string(), free: z.number(), taken: z.number(), short: z.number() });
export type ImportLineSeats = z.infer<typeof ImportLineSeats>;

export const ImportReply = z.object({
  dryRun: z.boolean(),
  results: z.array(ImportRowResult),
  counts: z.object({ done: z.number(), unchanged: z.number(), refused: z.number() }),
  seats: z.array(ImportLineSeats),
});
export type ImportReply = z.infer<typeof ImportReply>;
