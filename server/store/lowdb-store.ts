// The embedded store: documents in a data directory (lowdb holds each in memory and writes its
// snapshots, see text-adapter.ts), one file per organization and its audit log as JSON lines
// beside it, so each write serializes only one organization.
//   DATA/global.json            accounts, sessions, serial index
//   DATA/orgs/<orgId>.json      one organization
//   DATA/orgs/<orgId>.audit.jsonl
//   DATA/global.journal.jsonl, DATA/orgs/<orgId>.journal.jsonl   changes since the last snapshot
import { mkdir, readFile, readdir, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DocStore, type Backend } from './doc-store.js';
import type { CommitOptions, OnDisk } from './committed-doc.js';
import { filePersister } from './persisters.js';
import { parseJournal } from './journal.js';
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
  return (await readDoc<T>(path, false))?.data ?? null;
}

/** A document: its snapshot with the journal lines after it replayed. */
async function readDoc<T extends { schema: number; walSeq?: number }>(path: string, repair = true): Promise<{ data: T; disk: OnDisk } | null> {
  const snap = await readSnapshot<T>(path);
  const journalPath = journalOf(path);
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StoreCorruptError(journalPath, (err as Error).message);
    text = '';
  }
  if (!snap) {
    if (text.trim()) throw new StoreCorruptError(path, `missing, while its journal ${journalPath} holds changes`);
    return null;
  }
  const j = parseJournal(text, snap.data.walSeq ?? 0);
  if (j.corruptAt !== null) throw new StoreCorruptError(journalPath, `line ${j.corruptAt} is damaged`);
  // A line cut short by a crash was never acknowledged: cut it off, so the next append starts clean.
  if (repair && j.goodBytes < text.length) await truncate(journalPath, Buffer.byteLength(text.slice(0, j.goodBytes)));
  for (const c of j.changes) applyChanges(snap.data, c);
  if (docProblem(snap.data)) throw new StoreCorruptError(path, docProblem(snap.data)!);
  return { data: snap.data, disk: { text: snap.text, journal: j.lines, seq: Math.max(j.seq, snap.data.walSeq ?? 0) } };
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
    async loadGlobal() {
      await mkdir(orgDir, { recursive: true, mode: 0o700 });
      await removeTempFiles(dataDir);
      await removeTempFiles(orgDir);
      return readDoc<GlobalDoc>(join(dataDir, 'global.json'));
    },
    async loadOrgs() {
      const names = (await readdir(orgDir)).filter((n) => n.endsWith('.json'));
      const docs = [];
      for (const n of names) {
        const d = await readDoc<OrgDoc>(join(orgDir, n));
        if (d) docs.push(d);
      }
      return docs;
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
