// The memory back end: the same DocStore with nothing written anywhere but its audit lists, for
// tools (the API reference) and tests that need no disk.
import { DocStore, type Backend } from './doc-store.js';
import type { CommitOptions } from './committed-doc.js';
import type { AuditEvent } from '../domain/model.js';

export function createMemoryStore(options: Partial<CommitOptions> = {}): DocStore {
  return new DocStore(memoryBackend(), options);
}

export function memoryBackend(): Backend {
  const audit = new Map<string, AuditEvent[]>();
  return {
    load: async () => ({ global: null, orgs: [], batch: 0 }),
    globalPersister: () => ({ write: async () => {} }),
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
