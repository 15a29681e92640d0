// The package's bins before the first build (`npm ci`, then `npx seatkeeper-agent --help`): one
// line saying what to run and a non-zero exit, not a module-not-found stack trace.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './helpers/run-agent.js';
import { tempDir } from './helpers/state.js';

let dir: string;

beforeAll(async () => {
  // A checkout with no dist/: the bins as they are, beside nothing built.
  dir = await tempDir('sk-bin-');
  await fs.cp(path.join(REPO, 'bin'), path.join(dir, 'bin'), { recursive: true });
  await fs.copyFile(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const run = (bin: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(dir, 'bin', bin), '--help'], (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });

describe('bins before a build', () => {
  it.each([
    ['seatkeeper-agent.js', 'seatkeeper-agent', 'dist/agent.cjs'],
    ['seatkeeper-server.js', 'seatkeeper-server', 'dist/server.mjs'],
    ['seatctl.js', 'seatctl', 'dist/seatctl.cjs'],
  ])('%s says to run `npm run build` in one line and exits 1', async (bin, command, bundle) => {
    const r = await run(bin);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${command}: not built yet (${bundle} is missing); run \`npm run build\` first\n`);
  });
});
