// docs/architecture.md is the project's description of itself: its layout must be the layout on
// disk, and neither it nor the README may send a reader outside the repository.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !['dist', 'node_modules'].includes(e.name)).map((e) => e.name);
}

/** The folder names listed under `parent/` in the layout block (lines indented below it). */
function listedUnder(layout: string, parent: string): string[] {
  const lines = layout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${parent}/`));
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const m = line.match(/^ {2}([a-z-]+)\//);
    if (m) names.push(m[1]!);
  }
  return names;
}

describe('docs/architecture.md', () => {
  it('lists exactly the folders server/ and agent/ hold on disk', async () => {
    const doc = await readFile('docs/architecture.md', 'utf8');
    const layout = doc.match(/## Layout[\s\S]*?```\n([\s\S]*?)```/)![1]!;
    for (const parent of ['server', 'agent']) {
      expect(listedUnder(layout, parent).sort(), parent).toEqual((await subfolders(parent)).sort());
    }
  });

  it('and the README point only inside the repository', async () => {
    for (const file of ['README.md', 'docs/architecture.md']) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toMatch(/\.\.\/shared\/|DESIGN\.md/);
    }
  });
});
