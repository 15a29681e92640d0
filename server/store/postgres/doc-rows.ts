// A document as rows: each top-level value in sk_values (a collection's value is `{}`, its entries
// are rows of sk_records), so a commit writes the records it changed and SQL views can read them.
import type { Change } from '../changes.js';
import type { SqlClient } from './sql.js';

function isCollection(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const json = (v: unknown) => JSON.stringify(v) ?? 'null';

/** Rows to write for one whole top-level value. */
function expand(k: string, v: unknown, values: Array<[string, string]>, records: Array<[string, string, string]>): void {
  if (isCollection(v)) {
    values.push([k, '{}']);
    for (const [i, rec] of Object.entries(v)) if (rec !== undefined) records.push([k, i, json(rec)]);
  } else {
    values.push([k, json(v)]);
  }
}

/** Writes a whole document (a new one: nothing of it is in the tables yet). */
export async function insertDoc(db: SqlClient, docId: string, doc: object): Promise<void> {
  const values: Array<[string, string]> = [];
  const records: Array<[string, string, string]> = [];
  for (const [k, v] of Object.entries(doc)) if (v !== undefined) expand(k, v, values, records);
  await writeRows(db, docId, values, records);
}

/** The whole document as changes (the first change record of a new document). */
export function wholeDocChanges(doc: object): Change[] {
  return Object.entries(doc).filter(([, v]) => v !== undefined).map(([k, v]) => ({ k, v }));
}

/** Brings the rows of a document from its state before `changes` to its state after. */
export async function applyChangeRows(db: SqlClient, docId: string, changes: Change[]): Promise<void> {
  const dropKeys: string[] = [];
  const values: Array<[string, string]> = [];
  const records: Array<[string, string, string]> = [];
  const collections = new Set<string>();
  const deleted: Array<[string, string]> = [];
  for (const c of changes) {
    if (c.i === undefined) {
      dropKeys.push(c.k);
      if ('v' in c && c.v !== undefined) expand(c.k, c.v, values, records);
    } else if ('v' in c && c.v !== undefined) {
      collections.add(c.k);
      records.push([c.k, c.i, json(c.v)]);
    } else {
      deleted.push([c.k, c.i]);
    }
  }
  if (dropKeys.length > 0) {
    await db.query('DELETE FROM sk_records WHERE doc_id = $1 AND k = ANY($2::text[])', [docId, dropKeys]);
    await db.query('DELETE FROM sk_values WHERE doc_id = $1 AND k = ANY($2::text[])', [docId, dropKeys]);
  }
  if (deleted.length > 0) {
    await db.query(
      'DELETE FROM sk_records r USING unnest($2::text[], $3::text[]) AS d(k, i) WHERE r.doc_id = $1 AND r.k = d.k AND r.i = d.i',
      [docId, deleted.map((d) => d[0]), deleted.map((d) => d[1])],
    );
  }
  // A record written into a collection the document did not have yet creates it (as applyChanges does).
  for (const k of collections) if (!dropKeys.includes(k)) values.push([k, '{}']);
  await writeRows(db, docId, values, records, true);
}

async function writeRows(db: SqlClient, docId: string, values: Array<[string, string]>, records: Array<[string, string, string]>, upsert = false): Promise<void> {
  if (values.length > 0) {
    await db.query(
      `INSERT INTO sk_values (doc_id, k, v) SELECT $1, k, v::json FROM unnest($2::text[], $3::text[]) AS t(k, v)
       ON CONFLICT (doc_id, k) DO ${upsert ? "UPDATE SET v = excluded.v WHERE excluded.v::text <> '{}'" : 'NOTHING'}`,
      [docId, values.map((r) => r[0]), values.map((r) => r[1])],
    );
  }
  for (let from = 0; from < records.length; from += 5000) {
    const part = records.slice(from, from + 5000);
    await db.query(
      `INSERT INTO sk_records (doc_id, k, i, v) SELECT $1, k, i, v::json FROM unnest($2::text[], $3::text[], $4::text[]) AS t(k, i, v)
       ON CONFLICT (doc_id, k, i) DO UPDATE SET v = excluded.v`,
      [docId, part.map((r) => r[0]), part.map((r) => r[1]), part.map((r) => r[2])],
    );
  }
}

/** Every document's rows, read in one snapshot: id → (document, the sequence number it is at). */
export async function loadDocs(db: SqlClient, only?: string[]): Promise<Map<string, { kind: 'global' | 'org'; seq: number; data: Record<string, unknown> }>> {
  const filter = only ? 'WHERE doc_id = ANY($1::text[])' : '';
  const args = only ? [only] : [];
  const out = new Map<string, { kind: 'global' | 'org'; seq: number; data: Record<string, unknown> }>();
  const docs = await db.query<{ doc_id: string; kind: 'global' | 'org'; seq: string }>(`SELECT doc_id, kind, seq FROM sk_docs ${filter}`, args);
  for (const d of docs.rows) out.set(d.doc_id, { kind: d.kind, seq: Number(d.seq), data: {} });
  const values = await db.query<{ doc_id: string; k: string; v: unknown }>(`SELECT doc_id, k, v FROM sk_values ${filter}`, args);
  for (const r of values.rows) {
    const d = out.get(r.doc_id);
    if (d) d.data[r.k] = r.v;
  }
  const records = await db.query<{ doc_id: string; k: string; i: string; v: unknown }>(`SELECT doc_id, k, i, v FROM sk_records ${filter}`, args);
  for (const r of records.rows) {
    const coll = out.get(r.doc_id)?.data[r.k];
    if (isCollection(coll)) coll[r.i] = r.v;
  }
  return out;
}
