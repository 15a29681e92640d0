// Bench: what the agent costs a workstation (issue 16), beside a bare `node` kept alive by a timer
// and measured in the same window: the daemon connected to a real server and idle (nothing
// changes), sampled from /proc — RSS, CPU, wake-ups (context switches of every thread), open file
// descriptors, and what it writes to its state directory — with the slope of each over the window;
// then the one-file executable's size and start to --version beside the Node binary it is made of.
// Section `agent`: 10 minutes idle (RSS read at 5, CPU and writes over the 10); section `soak`: the
// slopes over 30 minutes, heap after GC included. --quick: about a minute each, for a smoke figure.
// Linux only (/proc); elsewhere it says so.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Helper, distDir } from './rpc.js';
import { row, stats, type Row } from './report.js';

const TICKS_PER_S = 100; // USER_HZ on Linux

export interface Sample {
  /** ms since the window began */
  t: number;
  rssKiB: number;
  /** user + system, in clock ticks */
  cpuTicks: number;
  /** voluntary + involuntary context switches over all threads */
  switches: number;
  /** the main thread's voluntary context switches: each is the event loop going to sleep, so one per wake-up */
  mainWakeups: number;
  fds: number;
}

export function sample(pid: number, t: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  let switches = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      switches += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  const mainWakeups = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return { t, rssKiB, cpuTicks, switches, mainWakeups, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Every write into `dir` (recursive inotify): file events and the bytes of the files written. */
export function watchWrites(dir: string) {
  const events: { t: number; file: string; bytes: number }[] = [];
  const t0 = performance.now();
  const w: FSWatcher = watch(dir, { recursive: true }, (_kind, file) => {
    if (!file) return;
    let bytes = 0;
    try {
      bytes = statSync(join(dir, file)).size;
    } catch {
      // a temp file already renamed away: its bytes are counted under the final name
    }
    events.push({ t: performance.now() - t0, file: String(file), bytes });
  });
  return {
    events,
    close: () => w.close(),
    /** total size of the directory's files */
    size: () => dirSize(dir),
  };
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      try {
        total += statSync(join(e.parentPath, e.name)).size;
      } catch {
        // gone meanwhile
      }
    }
  }
  return total;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`agent-footprint: timed out waiting for ${what}`);
    await sleep(100);
  }
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts the CDP session of a process started with --inspect=127.0.0.1:0 (its URL on stderr). */
async function inspectorOf(child: ChildProcess): Promise<{ heapAfterGcKiB(): Promise<number>; close(): void }> {
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent-footprint: no inspector URL from the daemon: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 10_000) err += d;
      const m = /ws:\/\/\S+/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const pending = new Map<number, (r: { result?: { usedSize?: number } }) => void>();
  ws.on('message', (m) => {
    const j = JSON.parse(String(m)) as { id?: number; result?: { usedSize?: number } };
    if (j.id !== undefined) pending.get(j.id)?.(j);
    pending.delete(j.id ?? -1);
  });
  const call = (method: string) =>
    new Promise<{ result?: { usedSize?: number } }>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params: {} }));
    });
  return {
    async heapAfterGcKiB() {
      await call('HeapProfiler.collectGarbage');
      return ((await call('Runtime.getHeapUsage')).result?.usedSize ?? NaN) / 1024;
    },
    close: () => ws.close(),
  };
}

/** The packaged agent for this machine, when `npm run package:agent` built it. */
function packagedExe(): string | null {
  const exe = join(distDir, `seatkeeper-agent-${process.platform}-${process.arch}`);
  return existsSync(exe) ? exe : null;
}

/**
 * A single executable of this very Node whose script only keeps it alive, built in `dir`: the
 * packaged daemon's own baseline.
 */
async function bareExecutable(dir: string): Promise<string> {
  const script = join(dir, 'idle.js');
  const blob = join(dir, 'idle.blob');
  const config = join(dir, 'idle-sea.json');
  const exe = join(dir, 'idle-sea');
  await writeFile(script, 'setInterval(() => {}, 1 << 30);\n');
  await writeFile(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
  const made = spawnSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'ignore' });
  if (made.status !== 0) throw new Error('bare single executable: the blob could not be made');
  await copyFile(process.execPath, exe);
  await chmod(exe, 0o755);
  const injected = spawnSync('npx', ['--no-install', 'postject', exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: 'ignore' });
  if (injected.status !== 0) throw new Error('bare single executable: postject failed');
  return exe;
}

/**
 * Drops the file's pages from the page cache. An executable just written (by postject, an
 * installer) sits in the cache in large folios, and the kernel maps a whole folio at each fault:
 * measured here, the packaged daemon held 63 MiB of its binary's pages started so and 40 MiB
 * started from disk (75.6 against 52.3 MiB RSS, anonymous memory the same). A workstation starts
 * its service from disk after a reboot; the pages of a just-written file are clean cache either way.
 */
function coldStart(file: string): void {
  spawnSync('sync', [file], { stdio: 'ignore' });
  const dropped = spawnSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
  if (dropped.status !== 0) process.stderr.write(`bench agent: could not drop ${file} from the page cache; its RSS counts the cached pages\n`);
}

interface IdleDaemon {
  daemon: ChildProcess;
  bare: ChildProcess;
  /**
   * The packaged executable's daemon, enrolled as a second device and idle in the same window, and a
   * bare single executable of the same Node kept alive by a timer (section `agent` only, when built)
   */
  packaged?: { daemon: ChildProcess; bare: ChildProcess };
  stateDir: string;
  /** throws when the daemon is no longer connected */
  stillConnected(): void;
}

/** A real organization on the bench server, and an enrollment token from its API. */
export async function enrollmentToken(server: Helper, url: string): Promise<string> {
  const org = await server.call<{ orgId: string; token: string }>('seed', { n: 0 });
  const r = await fetch(`${url}/api/v1/orgs/${org.orgId}/enrollment-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', expiresInHours: 1 }),
  });
  if (r.status !== 201) throw new Error(`enrollment token: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/**
 * A real server with an enrolled shipped agent's daemon connected and idle (nothing changes), and
 * a bare node kept alive by a timer beside it; `measure` runs once both are past start-up.
 */
async function withIdleDaemon<T>(quick: boolean, daemonFlags: string[], measure: (d: IdleDaemon) => Promise<T>, withPackaged = false): Promise<T> {
  const agent = join(distDir, 'agent.cjs');
  const data = await mkdtemp(join(tmpdir(), 'sk-bench-agent-data-'));
  const stateDir = await mkdtemp(join(tmpdir(), 'sk-bench-agent-state-'));
  const packagedStateDir = await mkdtemp(join(tmpdir(), 'sk-bench-agent-state-exe-'));
  const exe = packagedExe();
  let packaged: IdleDaemon['packaged'];
  const detectRoot = await mkdtemp(join(tmpdir(), 'sk-bench-agent-root-'));
  const { helper: server, ready } = await Helper.start<{ url: string }>('server', 'bench-server.mjs', ['--data', data]);
  let daemon: ChildProcess | null = null;
  let bare: ChildProcess | null = null;
  try {
    // A real organization, an enrollment token from its API, and the shipped agent enrolled with it.
    const token = await enrollmentToken(server, ready.url);
    const env = { PATH: process.env.PATH ?? '', SEATKEEPER_DETECT_ROOT: detectRoot };
    const enrolled = await run(process.execPath, [agent, 'enroll', '--server', ready.url, '--token', token, '--state-dir', stateDir], env);
    if (enrolled.code !== 0) throw new Error(`agent enroll: ${enrolled.out}`);
    if (withPackaged && exe) {
      // Its own state directory: a second agent on this host, enrolled as its own device.
      const second = await run(exe, ['enroll', '--server', ready.url, '--token', token, '--state-dir', packagedStateDir], env);
      if (second.code !== 0) throw new Error(`packaged agent enroll: ${second.out}`);
      // The bare executable first: should making it fail, no daemon is left running.
      const bareExe = await bareExecutable(data);
      // Both as a workstation starts them after a reboot, not as just written (see coldStart).
      coldStart(exe);
      coldStart(bareExe);
      packaged = {
        daemon: spawn(exe, ['run', '--state-dir', packagedStateDir], { env, stdio: 'ignore' }),
        bare: spawn(bareExe, [], { stdio: 'ignore' }),
      };
    }

    daemon = spawn(process.execPath, [...daemonFlags, agent, 'run', '--state-dir', stateDir], { env, stdio: ['ignore', 'ignore', daemonFlags.length ? 'pipe' : 'ignore'] });
    // The bare node gets the daemon's flags too (the inspector, for `soak`), so each figure has its baseline.
    bare = spawn(process.execPath, [...daemonFlags, '-e', 'setInterval(() => {}, 1 << 30)'], { stdio: ['ignore', 'ignore', daemonFlags.length ? 'pipe' : 'ignore'] });
    const statusFile = join(stateDir, 'status.json');
    const connected = () => existsSync(statusFile) && (JSON.parse(readFileSync(statusFile, 'utf8')) as { connected: boolean }).connected;
    const result = measure({
      daemon,
      bare,
      packaged,
      stateDir,
      stillConnected() {
        if (!connected()) throw new Error('agent-footprint: the daemon lost its connection during the window');
      },
    });
    // measure() starts listening (the inspector URL) at once; the window opens once start-up is over.
    return await result;
  } finally {
    if (daemon) await stopChild(daemon);
    if (bare) await stopChild(bare);
    if (packaged) for (const c of [packaged.daemon, packaged.bare]) await stopChild(c);
    server.child.kill('SIGTERM');
    await server.exited;
    for (const dir of [data, stateDir, packagedStateDir, detectRoot]) await rm(dir, { recursive: true, force: true });
  }
}

/** Waits for the daemon to connect, then past start-up (the first inventory, the welcome's writes, lazy compilation). */
async function settle(d: IdleDaemon, quick: boolean): Promise<void> {
  await waitFor('the daemon to connect', () => {
    try {
      d.stillConnected();
      return true;
    } catch {
      return false;
    }
  }, 30_000);
  await sleep(quick ? 12_000 : 60_000);
}

/** Samples both processes every `everyMs` over `windowMs`; `extra` adds a figure of the daemon's to each sample. */
async function sampleWindow(d: IdleDaemon, windowMs: number, everyMs: number, extra?: () => Promise<[number, number]>) {
  const writes = watchWrites(d.stateDir);
  const t0 = performance.now();
  const ds: Sample[] = [];
  const bs: Sample[] = [];
  const pds: Sample[] = [];
  const pbs: Sample[] = [];
  const sizes: number[] = [];
  const extras: number[] = [];
  const bareExtras: number[] = [];
  for (;;) {
    const t = performance.now() - t0;
    if (extra) {
      const [ofDaemon, ofBare] = await extra();
      extras.push(ofDaemon);
      bareExtras.push(ofBare);
    }
    ds.push(sample(d.daemon.pid!, t));
    bs.push(sample(d.bare.pid!, t));
    if (d.packaged) {
      pds.push(sample(d.packaged.daemon.pid!, t));
      pbs.push(sample(d.packaged.bare.pid!, t));
    }
    sizes.push(writes.size());
    if (t >= windowMs) break;
    await sleep(Math.min(everyMs, windowMs - t + 1));
  }
  writes.close();
  d.stillConnected();
  return { d: ds, b: bs, packaged: d.packaged ? { d: pds, b: pbs } : null, sizes, extras, bareExtras, events: writes.events };
}

/** The first sample at or after `ms` into the window. */
export const at = (s: Sample[], ms: number) => s.find((x) => x.t >= ms) ?? s[s.length - 1]!;

/** CPU (% of one core), context switches and main-thread wake-ups per minute over a window's samples. */
export function idleRates(s: Sample[]) {
  const end = s[s.length - 1]!;
  const minutes = (end.t - s[0]!.t) / 60_000;
  return {
    cpuPct: ((end.cpuTicks - s[0]!.cpuTicks) / TICKS_PER_S / (minutes * 60)) * 100,
    switchesPerMin: (end.switches - s[0]!.switches) / minutes,
    wakeupsPerMin: (end.mainWakeups - s[0]!.mainWakeups) / minutes,
  };
}

/** The RSS row of a process `rssAtMs` into the window, against its baseline's, goal 1.25×. */
export function rssRow(r: { bench: string; figure: string; d: Sample[]; b: Sample[]; rssAtMs: number; baseline: string; note?: string }): Row {
  const value = at(r.d, r.rssAtMs).rssKiB;
  const base = at(r.b, r.rssAtMs).rssKiB;
  return row({ bench: r.bench, figure: r.figure, value: value / 1024, unit: 'MiB', baseline: r.baseline, baselineValue: base / 1024, target: '≤ 1.25×', met: value / base <= 1.25, ...(r.note ? { note: r.note } : {}) });
}
const minutesOf = (s: Sample[]) => s.map((x) => x.t / 60_000);

/** Section `agent`: RSS after 5 minutes connected, idle CPU, wake-ups and disk writes over 10, the executable. */
export async function benchAgentFootprint(quick: boolean): Promise<Row[]> {
  if (process.platform !== 'linux') {
    process.stderr.write('bench agent: reads /proc; Linux only, skipped\n');
    return [];
  }
  const windowMs = quick ? 40_000 : 10 * 60_000;
  const rssAtMs = quick ? windowMs : 5 * 60_000;
  const everyMs = quick ? 3_000 : 30_000;
  const rows = await withIdleDaemon(
    quick,
    [],
    async (daemon) => {
    await settle(daemon, quick);
    const { d, b, packaged, events } = await sampleWindow(daemon, windowMs, everyMs);
    const dc = idleRates(d);
    const bc = idleRates(b);
    const bytesWritten = events.reduce((a, e) => a + e.bytes, 0);
    const files = [...new Set(events.map((e) => e.file.replace(/\.\d+\.[0-9a-f]+\.tmp$/, '')))].join(', ');
    const span = quick ? `${Math.round(windowMs / 1000)} s` : `${Math.round(windowMs / 60_000)} min`;
    return [
      rssRow({ bench: 'agent', figure: `daemon RSS after ${quick ? `${Math.round(rssAtMs / 1000)} s` : '5 min'} connected, idle`, d, b, rssAtMs, baseline: 'bare node kept alive by a timer' }),
      ...(packaged
        ? (() => {
            const rss = at(packaged.d, rssAtMs).rssKiB;
            const when = quick ? `${Math.round(rssAtMs / 1000)} s` : '5 min';
            return [
              rssRow({
                bench: 'agent',
                figure: `packaged executable's daemon RSS after ${when} connected, idle`,
                d: packaged.d,
                b,
                rssAtMs,
                baseline: 'bare node kept alive by a timer',
                note: 'the same bundle in a single executable, enrolled as a second device in the same window, started from disk (its pages dropped from the page cache first: just written, its file pages count about 23 MiB more)',
              }),
              row({
                bench: 'agent',
                figure: `packaged executable's daemon RSS after ${when}, against a bare single executable`,
                value: rss / 1024,
                unit: 'MiB',
                baseline: 'a single executable of the same node kept alive by a timer',
                baselineValue: at(packaged.b, rssAtMs).rssKiB / 1024,
                note: 'both started from disk: what the agent adds to a single executable that runs nothing',
              }),
            ];
          })()
        : []),
      row({
        bench: 'agent',
        figure: `daemon idle CPU over ${span} (% of one core)`,
        value: dc.cpuPct,
        unit: '%',
        baseline: 'bare node kept alive by a timer',
        baselineValue: bc.cpuPct,
        ratio: null,
        target: '≤ 0.2 %',
        met: dc.cpuPct <= 0.2,
        note: quick ? 'quick window: CPU is counted in 10 ms ticks, so a short window gives a coarse figure' : undefined,
      }),
      row({
        bench: 'agent',
        figure: `daemon event-loop wake-ups per minute, idle (main thread, over ${span})`,
        value: dc.wakeupsPerMin,
        unit: '/min',
        baseline: 'bare node kept alive by a timer',
        baselineValue: bc.wakeupsPerMin,
        ratio: null,
        note: "expected about 7/min: the server's heartbeat ping, answered at once, the clock watched at it (4/min at heartbeatSeconds 15); every 5 min the tick (renewals due: the lease directory read) and the usage report (the spool folded), each waking the loop a few times for its file reads; the inventory on its cron (every 15 min by default). Before, a tick every 30 s read the lease directory: each wake costs this VM about 20 ms of CPU (a bare ws client pinged every 15 s measured 0.13 %), so idle CPU followed the wake count",
      }),
      row({
        bench: 'agent',
        figure: `daemon context switches per minute, idle (all threads, over ${span})`,
        value: dc.switchesPerMin,
        unit: '/min',
        baseline: 'bare node kept alive by a timer',
        baselineValue: bc.switchesPerMin,
        ratio: null,
        note: "beyond the main thread: the libuv worker doing the tick's directory read, and V8's GC helper threads while the heap still shrinks after start (the memory reducer), which a short window catches",
      }),
      row({
        bench: 'agent',
        figure: `bytes written to the state directory, idle, over ${span}`,
        value: bytesWritten,
        unit: 'B',
        baseline: 'none (nothing changed)',
        baselineValue: null,
        target: '0 beyond logs',
        met: events.every((e) => e.file.startsWith('logs')),
        note: events.length ? `${events.length} write events: ${files}` : undefined,
      }),
      row({
        bench: 'agent',
        figure: 'daemon open file descriptors, idle (end of window)',
        value: d[d.length - 1]!.fds,
        unit: 'fds',
        baseline: 'bare node kept alive by a timer',
        baselineValue: b[b.length - 1]!.fds,
      }),
    ];
    },
    true,
  );
  return [...rows, ...(await executableRows(quick))];
}

/**
 * Section `soak`: nothing grows while idle — the slopes of RSS, heap after a full GC (asked of the
 * daemon through its inspector, so it is started with --inspect on loopback), open files and the
 * state directory over 30 minutes. The inspector costs memory of its own: RSS is `agent`'s figure.
 * The bare node runs with the same inspector and is asked the same, so its slopes are the baseline.
 */
export async function benchAgentSoak(quick: boolean): Promise<Row[]> {
  if (process.platform !== 'linux') {
    process.stderr.write('bench soak: reads /proc; Linux only, skipped\n');
    return [];
  }
  const windowMs = quick ? 40_000 : 30 * 60_000;
  const everyMs = quick ? 3_000 : 30_000;
  return withIdleDaemon(quick, ['--inspect=127.0.0.1:0'], async (daemon) => {
    const inspector = await inspectorOf(daemon.daemon);
    const bareInspector = await inspectorOf(daemon.bare);
    try {
      await settle(daemon, quick);
      const { d, b, sizes, extras, bareExtras } = await sampleWindow(daemon, windowMs, everyMs, async () => [await inspector.heapAfterGcKiB(), await bareInspector.heapAfterGcKiB()]);
      const minutes = `${Math.round(windowMs / 60_000) || '<1'} min`;
      const mins = minutesOf(d);
      return [
        row({
          bench: 'soak',
          figure: `daemon RSS slope, idle, over ${minutes}`,
          value: (slope(mins, d.map((x) => x.rssKiB)) * 60) / 1024,
          unit: 'MiB/h',
          baseline: 'bare node kept alive by a timer',
          baselineValue: (slope(minutesOf(b), b.map((x) => x.rssKiB)) * 60) / 1024,
          ratio: null,
          target: 'flat',
          note: `RSS ${(d[0]!.rssKiB / 1024).toFixed(1)} → ${(d[d.length - 1]!.rssKiB / 1024).toFixed(1)} MiB (bare node ${(b[0]!.rssKiB / 1024).toFixed(1)} → ${(b[b.length - 1]!.rssKiB / 1024).toFixed(1)} MiB), ${d.length} samples`,
        }),
        row({
          bench: 'soak',
          figure: `daemon heap after a full GC, slope over ${minutes}`,
          value: (slope(mins, extras) * 60) / 1024,
          unit: 'MiB/h',
          baseline: 'bare node kept alive by a timer, same inspector calls',
          baselineValue: (slope(minutesOf(b), bareExtras) * 60) / 1024,
          ratio: null,
          target: 'flat',
          note: `heap after GC ${(extras[0]! / 1024).toFixed(2)} → ${(extras[extras.length - 1]! / 1024).toFixed(2)} MiB (min ${(Math.min(...extras) / 1024).toFixed(2)}, max ${(Math.max(...extras) / 1024).toFixed(2)})`,
        }),
        row({
          bench: 'soak',
          figure: `daemon fd slope, idle, over ${minutes}`,
          value: slope(mins, d.map((x) => x.fds)) * 60,
          unit: 'fds/h',
          baseline: 'bare node kept alive by a timer',
          baselineValue: slope(minutesOf(b), b.map((x) => x.fds)) * 60,
          ratio: null,
          target: 'flat',
        }),
        row({
          bench: 'soak',
          figure: `state directory size slope, idle, over ${minutes}`,
          value: slope(mins, sizes) * 60,
          unit: 'B/h',
          baseline: 'none',
          baselineValue: null,
          target: 'flat',
        }),
      ];
    } finally {
      inspector.close();
      bareInspector.close();
    }
  });
}

/** The linux executable (npm run package:agent): its size, and start to --version, beside Node's. */
async function executableRows(quick: boolean): Promise<Row[]> {
  const exe = join(distDir, `seatkeeper-agent-${process.platform}-${process.arch}`);
  if (!existsSync(exe)) {
    process.stderr.write(`bench agent: no ${exe} (npm run package:agent); executable figures skipped\n`);
    return [];
  }
  const runs = quick ? 10 : 40;
  const ours: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    if (spawnSync(exe, ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error(`${exe} --version failed`);
    ours.push(performance.now() - t0);
    t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    bare.push(performance.now() - t0);
  }
  const size = statSync(exe).size;
  const nodeSize = statSync(process.execPath).size;
  const o = stats(ours).p50;
  const n = stats(bare).p50;
  return [
    row({ bench: 'agent', figure: 'executable size', value: size / 2 ** 20, unit: 'MiB', baseline: 'the node binary it is built from', baselineValue: nodeSize / 2 ** 20, target: '≤ 1.1×', met: size / nodeSize <= 1.1 }),
    row({ bench: 'agent', figure: `executable start to --version p50 (n=${runs})`, value: o, unit: 'ms', baseline: 'node -e 0', baselineValue: n, target: '≤ 1.3×', met: o / n <= 1.3 }),
  ];
}
