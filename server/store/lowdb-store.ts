// The embedded store: documents in a data directory (lowdb holds each in memory and writes its
// snapshots, see text-adapter.ts), one file per organization and its audit log as JSON lines
// beside it, so each write serializes only one organization.
//   DATA/global.json            accounts, sessions, serial index
//   DATA/orgs/<orgId>.json      one organization
//   DATA/orgs/<orgId>.audit.jsonl
//   DATA/global.journal.jsonl, DATA/orgs/<orgId>.journal.jsonl   changes since the last snapshot
// A batch that touched several documents counts only when every one of them has its journal
// line; loading drops a last batch that a crash cut short (journal.ts).
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DocStore, type Backend, type Loaded } from './doc-store.js';
import type { CommitOptions, OnDisk } from './committed-doc.js';
import { filePersister } from './persisters.js';
import { parseJournal, type ParsedJournal } from './journal.js';
import { appendDurable, truncateDurable } from './durable-file.js';
import { applyChanges } from './changes.js';
import type { AuditEvent, GlobalDoc, OrgDoc } from '../domain/model.js';
import { docProblem } from './validate-doc.js';

/** The data directory holds a file that cannot be read: the server must not start over it. */
export class StoreCorruptError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      `Seatkeeper cannot read its data file ${path}: ${reason}. ` +
        'The server will not start, and has not changed the file. Restore it from a backup or move it aside.',
    );
    this.name = 'StoreCorruptError';
  }
}

/**
 * A stored document as the server would load it (snapshot plus journal), read without changing
 * anything: for tools and tests that look at a data directory, even one a server is writing.
 */
export async function readStoredDoc<T extends { schema: number }>(path: string): Promise<T | null> {
  const raw = await readRaw(path, path.endsWith('global.json') ? 'global' : basename(path, '.json'));
  return (buildDoc(raw, null)?.data as T | undefined) ?? null;
}

/** A document's files as read: its snapshot (if any) and its journal, parsed. */
interface RawDoc {
  id: string;
  path: string;
  journalPath: string;
  snap: { data: StoredDoc; text: string } | null;
  journalText: string;
  journal: ParsedJournal;
}

type StoredDoc = { schema: number; walSeq?: number; walBatch?: number } & Record<string, unknown>;

async function readRaw(path: string, id: string): Promise<RawDoc> {
  const snap = await readSnapshot<StoredDoc>(path);
  const journalPath = journalOf(path);
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreCorruptError(journalPath, (err as Error).message);
    text = '';
  }
  const journal = parseJournal(text);
  if (journal.corruptAt !== null) throw new StoreCorruptError(journalPath, `line ${journal.corruptAt} is damaged`);
  return { id, path, journalPath, snap, journalText: text, journal };
}

/**
 * The last batch on disk, when it is not whole: a document it names has neither its line nor a
 * snapshot that includes it (the crash came between two documents' lines). Only the last batch
 * can be cut short: the next one starts when every line of the one before is on disk.
 */
function incompleteBatch(raws: RawDoc[]): number | null {
  let last = 0;
  for (const r of raws) for (const e of r.journal.entries) last = Math.max(last, e.line.b ?? 0);
  if (last === 0) return null;
  const byId = new Map(raws.map((r) => [r.id, r]));
  const named = new Set<string>();
  for (const r of raws) for (const e of r.journal.entries) if (e.line.b === last) for (const id of e.line.d ?? [r.id]) named.add(id);
  for (const id of named) {
    const r = byId.get(id);
    const has = r && (r.journal.entries.some((e) => e.line.b === last) || (r.snap?.data.walBatch ?? 0) >= last);
    if (!has) return last;
  }
  return null;
}

/** A document: its snapshot (or nothing, for one whose first line is still in the journal) with the journal replayed. */
function buildDoc(raw: RawDoc, drop: number | null): { data: StoredDoc; disk: OnDisk; audit: Array<{ id: string }> } | null {
  const entries = raw.journal.entries.filter((e) => drop === null || e.line.b !== drop);
  const after = raw.snap?.data.walSeq ?? 0;
  const lines = entries.filter((e) => e.line.s > after);
  let data: StoredDoc | null = raw.snap ? raw.snap.data : null;
  if (!data) {
    if (lines.length === 0) return null;
    if (lines[0]!.line.n !== 1) throw new StoreCorruptError(raw.path, `missing, while its journal ${raw.journalPath} holds changes`);
  }
  for (const e of lines) {
    if (e.line.n === 1) data = {} as StoredDoc;
    applyChanges(data!, e.line.c);
  }
  if (!data || data.schema !== 1) throw new StoreCorruptError(raw.journalPath, 'does not make a Seatkeeper document of schema 1');
  const problem = docProblem(data);
  if (problem) throw new StoreCorruptError(raw.path, problem);
  let seq = after;
  let batch = raw.snap?.data.walBatch ?? 0;
  for (const e of entries) {
    seq = Math.max(seq, e.line.s);
    batch = Math.max(batch, e.line.b ?? 0);
  }
  return {
    data,
    disk: { text: raw.snap?.text ?? 'null', journal: lines.map((e) => e.text), seq, batch, ...(raw.snap ? {} : { unwritten: true }) },
    audit: lines.flatMap((e) => (e.line.a ?? []) as Array<{ id: string }>),
  };
}

/** Cuts a journal back to its whole lines, dropping those of `drop` (a batch that did not complete). */
async function repairJournal(raw: RawDoc, drop: number | null): Promise<void> {
  const cut = raw.journal.entries.find((e) => drop !== null && e.line.b === drop)?.offset ?? raw.journal.goodBytes;
  if (cut < raw.journalText.length) await truncateDurable(raw.journalPath, Buffer.byteLength(raw.journalText.slice(0, cut)));
}

/**
 * Audit events committed with their change but not yet in the audit file (the crash came after
 * the journal line): appended now, once, so the log holds exactly what was committed.
 */
async function recoverAudit(path: string, events: Array<{ id: string }>): Promise<void> {
  if (events.length === 0) return;
  let text = await readFile(path, 'utf8').catch(() => '');
  const have = new Set<string>();
  for (const line of text.split('\n')) {
    try {
      have.add((JSON.parse(line) as { id: string }).id);
    } catch {
      // a torn line
    }
  }
  const missing = events.filter((e) => !have.has(e.id));
  if (missing.length === 0) return;
  if (text.length > 0 && !text.endsWith('\n')) {
    text = text.slice(0, text.lastIndexOf('\n') + 1);
    await truncateDurable(path, Buffer.byteLength(text));
  }
  await appendDurable(path, missing.map((e) => JSON.stringify(e) + '\n').join(''));
}

function journalOf(docPath: string): string {
  return docPath.replace(/\.json$/, '.journal.jsonl');
}

async function readSnapshot<T extends { schema: number }>(path: string): Promise<{ data: T; text: string } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreCorruptError(path, (err as Error).message);
  }
  let data: T;
  try {
    data = JSON.parse(text) as T;
  } catch (err) {
    throw new StoreCorruptError(path, `not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || data.schema !== 1) {
    throw new StoreCorruptError(path, 'not a Seatkeeper document of schema 1');
  }
  return { data, text };
}

/** A crash between writing a temp file and renaming it leaves the temp file: it never held an acknowledged write. */
async function removeTempFiles(dir: string): Promise<void> {
  for (const n of await readdir(dir)) if (n.startsWith('.') && n.endsWith('.tmp')) await unlink(join(dir, n)).catch(() => {});
}

export function createLowdbStore(dataDir: string, options: Partial<CommitOptions> = {}): DocStore {
  return new DocStore(lowdbBackend(dataDir), options);
}

/** The file back end on its own, so tests can wrap its persisters (count or fail writes). */
export function lowdbBackend(dataDir: string): Backend {
  const orgDir = join(dataDir, 'orgs');
  return {
    async load() {
      await mkdir(orgDir, { recursive: true, mode: 0o700 });
      await removeTempFiles(dataDir);
      await removeTempFiles(orgDir);
      const ids = new Set<string>();
      for (const n of await readdir(orgDir)) {
        if (n.startsWith('.')) continue;
        if (n.endsWith('.journal.jsonl')) ids.add(n.slice(0, -'.journal.jsonl'.length));
        else if (n.endsWith('.json')) ids.add(n.slice(0, -'.json'.length));
      }
      const raws = [await readRaw(join(dataDir, 'global.json'), 'global')];
      for (const id of ids) raws.push(await readRaw(join(orgDir, `${id}.json`), id));
      const drop = incompleteBatch(raws);
      let batch = 0;
      const loaded: Loaded = { global: null, orgs: [], batch: 0 };
      for (const raw of raws) {
        // A line cut short by a crash, or a batch that did not complete, was never acknowledged.
        await repairJournal(raw, drop);
        const doc = buildDoc(raw, drop);
        if (!doc) continue;
        batch = Math.max(batch, doc.disk.batch ?? 0);
        if (raw.id === 'global') loaded.global = { data: doc.data as unknown as GlobalDoc, disk: doc.disk };
        else {
          await recoverAudit(join(orgDir, `${raw.id}.audit.jsonl`), doc.audit);
          loaded.orgs.push({ data: doc.data as unknown as OrgDoc, disk: doc.disk });
        }
      }
      loaded.batch = batch;
      return loaded;
    },
    globalPersister: () => filePersister(join(dataDir, 'global.json'), undefined, journalOf(join(dataDir, 'global.json'))),
    orgPersister: (orgId) =>
      filePersister(join(orgDir, `${orgId}.json`), join(orgDir, `${orgId}.audit.jsonl`), journalOf(join(orgDir, `${orgId}.json`))),
    async readAudit(orgId) {
      const path = join(orgDir, `${orgId}.audit.jsonl`);
      const text = await readFile(path, 'utf8').catch(() => '');
      const out: AuditEvent[] = [];
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          out.push(JSON.parse(line) as AuditEvent);
        } catch {
          // A torn last line after a crash is skipped, not fatal: the log is append-only.
        }
      }
      return out;
    },
    close: async () => {},
  };
}
