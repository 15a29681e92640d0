// A small glob for detection rules: `/`-separated segments, `*` and `?` within one segment, no
// `**`. Enough for install layouts, and no dependency that could walk a whole disk.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface GlobMatch {
  /** absolute path of the matched file */
  file: string;
  /** the directory the first wildcard segment matched, or the file's directory without one */
  installDir: string;
}

/** Matches per pattern are capped: a detection rule matching hundreds of entries is a bad rule. */
export const MAX_MATCHES_PER_PATTERN = 64;

const hasWildcard = (segment: string) => /[*?]/.test(segment);

function segmentRegExp(segment: string): RegExp {
  const body = segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

export async function expandGlob(root: string, pattern: string): Promise<GlobMatch[]> {
  const segments = pattern.split('/').filter((s) => s.length > 0 && s !== '.');
  if (segments.some((s) => s === '..')) return [];
  let candidates: Array<{ abs: string; installDir: string | null }> = [{ abs: path.resolve(root), installDir: null }];
  for (const segment of segments) {
    const next: typeof candidates = [];
    for (const c of candidates) {
      if (!hasWildcard(segment)) {
        next.push({ abs: path.join(c.abs, segment), installDir: c.installDir });
        continue;
      }
      let names: string[];
      try {
        names = await fs.readdir(c.abs);
      } catch {
        continue;
      }
      const re = segmentRegExp(segment);
      for (const name of names.sort()) {
        if (!re.test(name)) continue;
        const abs = path.join(c.abs, name);
        next.push({ abs, installDir: c.installDir ?? abs });
      }
    }
    candidates = next.slice(0, MAX_MATCHES_PER_PATTERN * 4);
  }
  const matches: GlobMatch[] = [];
  for (const c of candidates) {
    try {
      await fs.stat(c.abs);
    } catch {
      continue;
    }
    matches.push({ file: c.abs, installDir: c.installDir ?? path.dirname(c.abs) });
    if (matches.length >= MAX_MATCHES_PER_PATTERN) break;
  }
  return matches;
}
