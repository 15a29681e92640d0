// The journal's line format. One line per document per committed batch:
//   {"s": seq, "b": batch, "d": [ids], "n": 1, "a": [audit events], "c": [changes]}
// `s` rises per document; `b` numbers the store-wide batch the line belongs to, and `d` lists the
// documents that batch wrote when it wrote more than one: a batch counts only if every one of them
// has its line (or a snapshot that includes it), so a crash between two documents' lines undoes
// the batch instead of half-applying it. `n` marks a document's first line (the whole document,
// before any snapshot exists). `a` holds the audit events committed with the change; the audit log
// file is written after, and recovered from here if a crash came between. A snapshot records the
// sequence number and batch it includes (`walSeq`, `walBatch`); loading replays the lines after it.
import type { Change } from './changes.js';

export interface JournalLine {
  s: number;
  b?: number;
  d?: string[];
  n?: 1;
  a?: unknown[];
  c: Change[];
}

export function journalLine(entry: JournalLine): string {
  return JSON.stringify(entry) + '\n';
}

export interface ParsedJournal {
  /** every complete line, with where it starts in the text */
  entries: Array<{ line: JournalLine; text: string; offset: number }>;
  /** the highest sequence number in it */
  seq: number;
  /** bytes that hold whole lines (a torn last line starts here) */
  goodBytes: number;
  /** the line number of damage before the end, or null */
  corruptAt: number | null;
}

/** Journal text as read from disk: its lines, and where a torn tail begins. */
export function parseJournal(text: string): ParsedJournal {
  const entries: ParsedJournal['entries'] = [];
  let seq = 0;
  let pos = 0;
  let lineNo = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    lineNo++;
    if (nl < 0) break; // a line without its newline was never acknowledged
    const raw = text.slice(pos, nl + 1);
    let parsed: JournalLine;
    try {
      parsed = JSON.parse(raw) as JournalLine;
      if (typeof parsed.s !== 'number' || !Array.isArray(parsed.c)) throw new Error('not a journal line');
    } catch {
      // Only the last line can be torn by a crash; garbage with lines after it is damage.
      if (nl + 1 < text.length) return { entries, seq, goodBytes: pos, corruptAt: lineNo };
      break;
    }
    entries.push({ line: parsed, text: raw, offset: pos });
    seq = Math.max(seq, parsed.s);
    pos = nl + 1;
  }
  return { entries, seq, goodBytes: pos, corruptAt: null };
}
