// Where a committed document's bytes go: its snapshot, its journal, and its audit log. The file
// persister writes each durably (see durable-file.ts); the memory back end has its own (memory-store.ts).
import { appendDurable, emptyDurable, truncateDurable, writeFileDurable } from './durable-file.js';

export interface Persister {
  /** the document's JSON, as consecutive pieces */
  write(parts: string[]): Promise<void>;
  /** appends audit lines; `undo` takes them back out when the rest of the flush fails */
  append?(text: string): Promise<{ undo(): Promise<void> }>;
  /** the document's journal; without one every flush writes the whole document */
  journal?: Journal;
}

export interface Journal {
  /** appends one line durably; on failure the file is as it was; `undo` cuts it back off */
  append(line: string): Promise<{ undo(): Promise<void> }>;
  /** empties the journal once a snapshot holds everything in it */
  reset(): Promise<void>;
}

export function filePersister(path: string, auditPath?: string, journalPath?: string): Persister {
  return {
    write: (parts) => writeFileDurable(path, parts),
    ...(journalPath ? { journal: { append: (line: string) => appendUndoable(journalPath, line), reset: () => emptyDurable(journalPath) } } : {}),
    ...(auditPath ? { append: (text: string) => appendUndoable(auditPath, text) } : {}),
  };
}

async function appendUndoable(path: string, text: string): Promise<{ undo(): Promise<void> }> {
  const before = await appendDurable(path, text);
  return { undo: () => truncateDurable(path, before) };
}
