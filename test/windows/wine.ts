// Runs Windows programs under Wine for the Windows tests: one prefix per test file, every output
// sent to files (Node under Wine fails with EBADF when its stdout is a pipe), and the prefix's
// processes ended with `wineserver -k` at the end.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Debian's wine64 package installs the `wine` launcher (and /usr/lib/wine/wine64 behind it). */
export function findWine(): string | null {
  for (const c of [process.env.WINE, 'wine64', 'wine', '/usr/lib/wine/wine64']) {
    if (!c || !/^[\w./-]+$/.test(c)) continue;
    if (c.includes('/') ? existsSync(c) : spawnSync('sh', ['-c', `command -v ${c}`]).status === 0) return c;
  }
  return null;
}

export const haveTool = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

export interface WineRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

let seq = 0;

export class WinePrefix {
  readonly dir: string;
  readonly wine: string;
  readonly #logs: string;

  private constructor(dir: string, wine: string) {
    this.dir = dir;
    this.wine = wine;
    this.#logs = path.join(dir, 'test-output');
  }

  /** Creates and initialises a prefix (the slow part, 30-60 s the first time) that reports Windows 10. */
  static async create(wine: string): Promise<WinePrefix> {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-wine-'));
    const p = new WinePrefix(dir, wine);
    await fs.mkdir(p.#logs, { recursive: true });
    // Node refuses to start on the Windows 7 a new prefix reports by default.
    const r = await p.run(['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f'], {}, 180_000);
    if (r.code !== 0) throw new Error(`wine prefix init failed (${r.code}): ${r.stdout}${r.stderr}`);
    return p;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    // No Mono or Gecko installer prompts: neither is available here, and nothing below needs them.
    return { ...process.env, WINEPREFIX: this.dir, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
  }

  /** The Linux path of a Windows path on drive C: of this prefix. */
  unix(winPath: string): string {
    const m = /^C:\\(.*)$/i.exec(winPath);
    if (!m) throw new Error(`not a C:\\ path: ${winPath}`);
    return path.join(this.dir, 'drive_c', ...m[1]!.split('\\').filter(Boolean));
  }

  /** The Windows path (drive Z:) of a Linux path. */
  static win(unixPath: string): string {
    return `Z:${path.resolve(unixPath).replace(/\//g, '\\')}`;
  }

  #files() {
    const base = path.join(this.#logs, `${process.pid}-${++seq}`);
    return { out: `${base}.out`, err: `${base}.err` };
  }

  /** Runs a program to its end (killed after `timeoutMs`); stdout and stderr go through files. */
  async run(args: string[], env: Record<string, string> = {}, timeoutMs = 180_000): Promise<WineRun> {
    const p = this.spawn(args, env);
    const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
    const code = await p.exited;
    clearTimeout(timer);
    return { code, stdout: p.stdout, stderr: p.stderr };
  }

  /** Starts a long-running program (the daemon, `login`); its output accumulates in files. */
  spawn(args: string[], env: Record<string, string> = {}): WineProcess {
    const f = this.#files();
    const out = openSync(f.out, 'w');
    const err = openSync(f.err, 'w');
    const child = spawn(this.wine, args, { env: this.env(env), stdio: ['ignore', out, err] });
    closeSync(out);
    closeSync(err);
    return new WineProcess(child, f.out, f.err);
  }

  /** Ends every process of this prefix (only this prefix's wineserver is asked). */
  async kill(): Promise<void> {
    await new Promise<void>((resolve) => execFile('wineserver', ['-k'], { env: this.env(), timeout: 30_000 }, () => resolve()));
  }

  async dispose(): Promise<void> {
    await this.kill();
    await new Promise<void>((resolve) => execFile('wineserver', ['-w'], { env: this.env(), timeout: 30_000 }, () => resolve()));
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

export class WineProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly #out: string;
  readonly #err: string;

  constructor(child: ChildProcess, out: string, err: string) {
    this.child = child;
    this.#out = out;
    this.#err = err;
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  get stdout(): string {
    return readFileSync(this.#out, 'utf8');
  }

  get stderr(): string {
    return readFileSync(this.#err, 'utf8');
  }
}
