// Builds seatctl from source (as scripts/build.mjs does) and runs it as a real process with its
// own config folder, so tests drive exactly what ships.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let built: Promise<string> | undefined;

/** dist-like bundle of seatctl/cli.ts in a temporary folder, built once per test file. */
export function seatctlBundle(): Promise<string> {
  built ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sk-seatctl-build-'));
    const out = join(dir, 'seatctl.cjs');
    await build({
      entryPoints: ['seatctl/cli.ts'],
      outfile: out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'warning',
      define: { __SEATKEEPER_VERSION__: JSON.stringify('0.0.0-test') },
    });
    return out;
  })();
  return built;
}

export class Seatctl {
  constructor(
    /** the folder XDG_CONFIG_HOME and HOME point at */
    readonly home: string,
    readonly env: Record<string, string> = {},
  ) {}

  static async create(env: Record<string, string> = {}): Promise<Seatctl> {
    return new Seatctl(await mkdtemp(join(tmpdir(), 'sk-seatctl-home-')), env);
  }

  get configFile(): string {
    return join(this.home, 'seatkeeper', 'seatctl.json');
  }

  async run(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
    const file = await seatctlBundle();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: this.home, XDG_CONFIG_HOME: this.home, ...this.env, ...opts.env };
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [file, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Runs and parses stdout as JSON (with --json), failing loudly with stderr otherwise. */
  async json<T = any>(args: string[]): Promise<T> {
    const r = await this.run(['--json', ...args]);
    if (r.code !== 0) throw new Error(`seatctl ${args.join(' ')} → ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }
}
