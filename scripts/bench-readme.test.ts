import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderBenchSection, replaceBenchSection, type BenchResults } from './bench-readme.js';
import { row } from './bench/report.js';

const rows = [
  row({ bench: 'revoke', figure: 'targeted revoke p99 @10k (n=112)', value: 412.5, unit: 'ms', baseline: 'bare ws send to one socket', baselineValue: 5.5, target: '≤ 50 ms @10k', met: false }),
  row({ bench: 'store', figure: 'assign p50 @1k seats | odd', value: 4.29, unit: 'ms', baseline: 'lowdb', baselineValue: null, note: 'a note from the run' }),
];
const full: BenchResults = { header: 'Seatkeeper benchmarks — 2026-12-02 — 2 × AMD EPYC, 24 GiB, Node v20.20.2 — 300 s', rows };

describe('README benchmark section', () => {
  it('carries the date, the machine, every figure of the run with its baseline and ratio, and the notes', () => {
    const s = renderBenchSection(full);
    expect(s.startsWith('<!-- bench:start -->\n')).toBe(true);
    expect(s.endsWith('\n<!-- bench:end -->')).toBe(true);
    expect(s).toContain('**2026-12-02** on 2 × AMD EPYC, 24 GiB, Node v20.20.2, 300 s');
    expect(s).toContain('| revoke | targeted revoke p99 @10k (n=112) | 413 ms | bare ws send to one socket | 5.50 ms | 75.00× | ≤ 50 ms @10k | NO |');
    // A pipe in a figure would split the table row.
    expect(s).toContain('assign p50 @1k seats \\| odd | 4.29 ms | lowdb | — | — |');
    expect(s).toContain('- store / assign p50 @1k seats | odd: a note from the run');
  });

  it('prefers the fields a current run writes over its header', () => {
    const s = renderBenchSection({ ...full, header: 'x', date: '2027-01-05', machine: '4 × Test CPU', seconds: 412 });
    expect(s).toContain('**2027-01-05** on 4 × Test CPU, 412 s');
  });

  it.each([
    ['a quick run', { ...full, header: 'Seatkeeper benchmarks — 2026-12-02 — 2 × AMD EPYC — quick — 25 s' }, /quick/],
    ['a quick run by its field', { ...full, quick: true }, /quick/],
    ['a partial run', { ...full, partial: true }, /partial/],
    ['a run where a bench failed', { ...full, failed: ['fleet'] }, /fleet/],
    ['a run without rows', { ...full, rows: [] }, /no rows/],
    ['a header without date and machine', { ...full, header: 'garbage' }, /date and machine/],
  ] as const)('refuses %s', (_, results, why) => {
    expect(() => renderBenchSection(results as BenchResults)).toThrow(why);
  });

  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- bench:start -->\nold table\n<!-- bench:end -->\noutro $& $1\n';
    const next = replaceBenchSection(readme, '<!-- bench:start -->\nnew $&\n<!-- bench:end -->');
    expect(next).toBe('intro\n<!-- bench:start -->\nnew $&\n<!-- bench:end -->\noutro $& $1\n');
    expect(() => replaceBenchSection('no markers', 'x')).toThrow(/exactly one/);
    expect(() => replaceBenchSection(readme + readme, 'x')).toThrow(/exactly one/);
  });

  it('finds its markers in the README, once', async () => {
    const readme = await readFile('README.md', 'utf8');
    expect(() => replaceBenchSection(readme, '<!-- bench:start -->\n<!-- bench:end -->')).not.toThrow();
  });
});
