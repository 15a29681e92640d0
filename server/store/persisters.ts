// Where a committed document's bytes go: its snapshot, its journal, and its audit log. The file
// persister writes each durably (see durable-file.ts); the memory back end has its own (memory-store.ts).
import { stat, truncate } from 'node:fs/promises';
import { appendDurable, emptyDurable, writeFileDurable } from './durable-file.js';

export interface Persister {
  /** the document's JSON, as consecutive pieces */
  write(parts: string[]): Promise<void>;
  /** appends audit lines; `undo` takes them back out when the rest of the flush fails */
  append?(text: string): Promise<{ undo(): Promise<void> }>;
  /** the document's journal; without one every flush writes the whole document */
  journal?: Journal;
}

export interface Journal {
  /** appends one line durably; on failure the file is as it was */
  append(line: string): Promise<void>;
  /** empties the journal once a snapshot holds everything in it */
  reset(): Promise<void>;
}

export function filePersister(path: string, auditPath?: string, journalPath?: string): Persister {
  return {
    write: (parts) => writeFileDurable(path, parts),
    ...(journalPath ? { journal: { append: (line: string) => appendDurable(journalPath, line), reset: () => emptyDurable(journalPath) } } : {}),
    ...(auditPath
      ? {
          append: async (text: string) => {
            const before = await stat(auditPath).then((s) => s.size, () => 0);
            await appendDurable(auditPath, text);
            return { undo: () => truncate(auditPath, before) };
          },
        }
      : {}),
  };
}
