// The embedded store: lowdb documents in a data directory, one file per organization and its
// audit log as JSON lines beside it, so each write serializes only one organization.
//   DATA/global.json            accounts, sessions, serial index
//   DATA/orgs/<orgId>.json      one organization
//   DATA/orgs/<orgId>.audit.jsonl
import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DocStore, type Backend } from './doc-store.js';
import { filePersister, memoryPersister } from './committed-doc.js';
import type { AuditEvent, GlobalDoc, OrgDoc } from './types.js';

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

async function readDoc<T extends { schema: number }>(path: string): Promise<{ data: T; text: string } | null> {
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

export function createLowdbStore(dataDir: string): DocStore {
  return new DocStore(lowdbBackend(dataDir));
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
    globalPersister: () => filePersister(join(dataDir, 'global.json')),
    orgPersister: (orgId) => filePersister(join(orgDir, `${orgId}.json`), join(orgDir, `${orgId}.audit.jsonl`)),
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

export function createMemoryStore(): DocStore {
  return new DocStore(memoryBackend());
}

export function memoryBackend(): Backend {
  const audit = new Map<string, AuditEvent[]>();
  return {
    loadGlobal: async () => null,
    loadOrgs: async () => [],
    globalPersister: () => memoryPersister(),
    orgPersister: (orgId) => ({
      write: async () => {},
      // Like the file's truncate: a flush that fails takes its audit lines back out.
      append: async (text: string) => {
        const list = audit.get(orgId) ?? [];
        const before = list.length;
        for (const line of text.split('\n')) if (line) list.push(JSON.parse(line) as AuditEvent);
        audit.set(orgId, list);
        return { undo: async () => void list.splice(before) };
      },
    }),
    readAudit: async (orgId) => [...(audit.get(orgId) ?? [])],
    close: async () => {},
  };
}
