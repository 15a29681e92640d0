// The journal's line format: one line per flush, `{"s": seq, "c": [changes]}`, sequence numbers
// rising. A snapshot records the number it includes (`walSeq`); loading replays the lines after it.
import type { Change } from './changes.js';

export interface JournalLine {
  s: number;
  c: Change[];
}

export function journalLine(seq: number, changes: Change[]): string {
  return JSON.stringify({ s: seq, c: changes } satisfies JournalLine) + '\n';
}

/**
 * Journal text as read from disk: the lines after `afterSeq` (as text, and their changes), and
 * where a torn tail begins.
 */
export function parseJournal(
  text: string,
  afterSeq: number,
): { lines: string[]; changes: Change[][]; seq: number; goodBytes: number; corruptAt: number | null } {
  const lines: string[] = [];
  const changes: Change[][] = [];
  let seq = afterSeq;
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
      if (nl + 1 < text.length) return { lines, changes, seq, goodBytes: pos, corruptAt: lineNo };
      break;
    }
    if (parsed.s > afterSeq) {
      lines.push(raw);
      changes.push(parsed.c);
      seq = Math.max(seq, parsed.s);
    }
    pos = nl + 1;
  }
  return { lines, changes, seq, goodBytes: pos, corruptAt: null };
}
