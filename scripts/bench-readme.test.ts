import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { mergeSections, parseBenchSection, renderBenchSection, replaceBenchSection, sectionEntry, type BenchResults } from './bench-readme.js';
import { row } from './bench/report.js';

const rows = [
  row({ bench: 'revoke', figure: 'targeted revoke p99 @10k (n=112)', value: 412.5, unit: 'ms', baseline: 'bare ws send to one socket', baselineValue: 5.5, target: '≤ 50 ms @10k', met: false }),
  row({ bench: 'store', figure: 'assign p50 @1k seats | odd', value: 4.29, unit: 'ms', baseline: 'lowdb', baselineValue: null, note: 'a note from the run' }),
];
const fleet: BenchResults = { header: 'x', section: 'fleet', date: '2026-12-02', machine: '2 × AMD EPYC, 24 GiB, Node v20.20.2', seconds: 300, rows };
const check: BenchResults = {
  header: 'x',
  section: 'check',
  date: '2026-12-03',
  machine: '2 × Intel Xeon, 24 GiB, Node v20.20.2',
  seconds: 41,
  rows: [row({ bench: 'check', figure: 'CLI wall time p50 (n=20)', value: 88, unit: 'ms', baseline: 'node -e 0', baselineValue: 66, note: 'check note' })],
};
const render = (...r: BenchResults[]) => renderBenchSection(r.map(sectionEntry));

describe('README benchmark section', () => {
  it("carries each section's date, duration and machine, every figure with its baseline and ratio, and the notes", () => {
    const s = render(fleet, check);
    expect(s.startsWith('<!-- bench:start -->\n')).toBe(true);
    expect(s.endsWith('\n<!-- bench:end -->')).toBe(true);
    expect(s).toContain('| section | run on | seconds | machine |\n| --- | --- | --- | --- |\n| fleet | 2026-12-02 | 300 | 2 × AMD EPYC, 24 GiB, Node v20.20.2 |\n| check | 2026-12-03 | 41 |');
    expect(s).toContain('| fleet | revoke | targeted revoke p99 @10k (n=112) | 413 ms | bare ws send to one socket | 5.50 ms | 75.00× | ≤ 50 ms @10k | NO |');
    // A pipe in a figure would split the table row.
    expect(s).toContain('| fleet | store | assign p50 @1k seats \\| odd | 4.29 ms | lowdb | — | — |');
    expect(s).toContain('- fleet › store / assign p50 @1k seats | odd: a note from the run');
    expect(s).toContain('- check › check / CLI wall time p50 (n=20): check note');
  });

  it('reads back what it wrote, section by section', () => {
    const entries = [sectionEntry(fleet), sectionEntry(check)];
    expect(parseBenchSection(renderBenchSection(entries))).toEqual(entries);
  });

  it("replaces exactly one section's rows, notes and date, and keeps the others as they were", () => {
    const before = render(fleet, check);
    const rerun: BenchResults = { ...check, date: '2026-12-04', seconds: 39, rows: [row({ bench: 'check', figure: 'CLI wall time p50 (n=20)', value: 70, unit: 'ms', baseline: 'node -e 0', baselineValue: 66 })] };
    const after = renderBenchSection(mergeSections(parseBenchSection(before), [sectionEntry(rerun)], ['fleet', 'check']));
    expect(after).toContain('| check | 2026-12-04 | 39 |');
    expect(after).not.toContain('2026-12-03');
    expect(after).toContain('| check | check | CLI wall time p50 (n=20) | 70.00 ms |');
    expect(after).not.toContain('88.00 ms');
    expect(after).not.toContain('check note');
    // The fleet section's lines are untouched, byte for byte.
    const fleetLines = (s: string) => s.split('\n').filter((l) => l.startsWith('| fleet ') || l.startsWith('- fleet '));
    expect(fleetLines(after)).toEqual(fleetLines(before));
    expect(fleetLines(after)).toHaveLength(4);
  });

  it('puts a new section in run order, keeps an unknown one where it stood, and drops what a whole run no longer has', () => {
    const e = (name: string) => ({ ...sectionEntry(check), name });
    const current = [e('fleet'), e('cluster'), e('store')];
    expect(mergeSections(current, [e('check')], ['fleet', 'check', 'store']).map((x) => x.name)).toEqual(['fleet', 'check', 'store', 'cluster']);
    expect(mergeSections(current, [e('new')], []).map((x) => x.name)).toEqual(['fleet', 'cluster', 'store', 'new']);
    expect(mergeSections(current, [], ['fleet', 'store'], ['fleet', 'store']).map((x) => x.name)).toEqual(['fleet', 'store']);
  });

  it('starts a section list in a README that has none yet', () => {
    expect(parseBenchSection('<!-- bench:start -->\nLast full run: **2026-12-02**\n\n| bench | figure |\n| --- | --- |\n| fleet | x |\n')).toEqual([]);
  });

  it('refuses a table row that belongs to no listed section', () => {
    const s = render(check).replace('| check | check |', '| ghost | check |');
    expect(() => parseBenchSection(s)).toThrow(/no listed section/);
  });

  it.each([
    ['a quick run', { ...check, header: 'Seatkeeper benchmarks — 2026-12-02 — 2 × AMD EPYC — quick — 25 s' }, /quick/],
    ['a quick run by its field', { ...check, quick: true }, /quick/],
    ['a partial run', { ...check, partial: true }, /partial/],
    ['a run where a bench failed', { ...check, failed: ['fleet'] }, /fleet/],
    ['a run without rows', { ...check, rows: [] }, /no rows/],
    ['a run of no named section', { ...check, section: undefined }, /section/],
    ['a header without date and machine', { header: 'garbage', section: 'check', rows }, /date and machine/],
  ] as const)('refuses %s', (_, results, why) => {
    expect(() => sectionEntry(results as BenchResults)).toThrow(why);
  });

  it('reads the date and machine from the header of an older results file', () => {
    const e = sectionEntry({ header: 'Seatkeeper benchmarks — 2026-12-02 — 2 × AMD EPYC, 24 GiB, Node v20.20.2 — 194 s', section: 'fleet', rows });
    expect([e.date, e.machine, e.seconds]).toEqual(['2026-12-02', '2 × AMD EPYC, 24 GiB, Node v20.20.2', '194']);
  });

  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- bench:start -->\nold table\n<!-- bench:end -->\noutro $& $1\n';
    const next = replaceBenchSection(readme, '<!-- bench:start -->\nnew $&\n<!-- bench:end -->');
    expect(next).toBe('intro\n<!-- bench:start -->\nnew $&\n<!-- bench:end -->\noutro $& $1\n');
    expect(() => replaceBenchSection('no markers', 'x')).toThrow(/exactly one/);
    expect(() => replaceBenchSection(readme + readme, 'x')).toThrow(/exactly one/);
  });

  it('finds its markers in the README, once, and reads its section list', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(() => replaceBenchSection(readme, '<!-- bench:start -->\n<!-- bench:end -->')).not.toThrow();
    expect(() => parseBenchSection(readme.slice(readme.indexOf('<!-- bench:start -->'), readme.indexOf('<!-- bench:end -->')))).not.toThrow();
  });
});
