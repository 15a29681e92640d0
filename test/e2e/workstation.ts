// A simulated workstation for the end-to-end stories: its own agent state directory, a fake
// install tree laid out by the catalog's Linux detection rules, a machine id of its own, and the
// real agent bundle (`node dist/agent.cjs`) run as child processes against the real server.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readDaemonStatus } from '../../agent/state/status-file.js';
import { readLeaseFile, type LeaseFile } from '../../agent/state/lease-store.js';
import { statePaths, type StatePaths } from '../../agent/state/paths.js';
import { demoCatalog } from '../../shared/catalog.js';
import { AGENT_BUNDLE, runAgent, type AgentRun } from '../agent/helpers/run-agent.js';

export { ensureAgentBundle } from '../agent/helpers/run-agent.js';

export interface CheckResult {
  code: number | null;
  /** `check --json` output */
  json: { mayRun: boolean; productCode: string; reason?: string; revokeReason?: string; method?: string; jti?: string };
}

let seq = 0;

export class Workstation {
  readonly name: string;
  readonly home: string;
  readonly root: string;
  readonly paths: StatePaths;
  readonly machineId: string;
  deviceId = '';
  #daemon: ChildProcess | null = null;
  #logs: string[] = [];

  private constructor(name: string, home: string, root: string) {
    this.name = name;
    this.home = home;
    this.root = root;
    this.paths = statePaths(home);
    this.machineId = `e2e-${process.pid}-${++seq}-${name}`;
  }

  static async create(name: string): Promise<Workstation> {
    const base = await fs.mkdtemp(path.join(tmpdir(), `sk-ws-${name}-`));
    const ws = new Workstation(name, path.join(base, 'state'), path.join(base, 'root'));
    await fs.mkdir(ws.root, { recursive: true });
    return ws;
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '',
      SEATKEEPER_AGENT_HOME: this.home,
      SEATKEEPER_MACHINE_ID: this.machineId,
      SEATKEEPER_DETECT_ROOT: this.root,
      SEATKEEPER_LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  /**
   * Lays out a fake install the way the catalog's Linux rule detects it: the first path pattern
   * with its wildcard filled in, plus the version and serial files in the install directory.
   */
  async install(productCode: string, opts: { version?: string; serial?: string } = {}): Promise<string> {
    const rule = demoCatalog.find((p) => p.code === productCode)?.detect.linux;
    if (!rule) throw new Error(`${productCode} has no Linux detection rule`);
    const version = opts.version ?? '2025';
    const segments = rule.paths[0]!.split('/');
    const wild = segments.findIndex((s) => s.includes('*'));
    const filled = segments.map((s) => s.replace('*', version));
    const installDir = path.join(this.root, ...filled.slice(0, wild === -1 ? filled.length - 1 : wild + 1));
    const file = path.join(this.root, ...filled);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '#!/bin/sh\n');
    if (rule.versionFile) await fs.writeFile(path.join(installDir, rule.versionFile), `${version}\n`);
    if (rule.serialFile && opts.serial) {
      await fs.mkdir(path.dirname(path.join(installDir, rule.serialFile)), { recursive: true });
      await fs.writeFile(path.join(installDir, rule.serialFile), `${opts.serial}\n`);
    }
    return installDir;
  }

  run(args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 20_000): Promise<AgentRun> {
    return runAgent(args, this.env(extraEnv), timeoutMs);
  }

  async enroll(serverUrl: string, token: string): Promise<string> {
    const r = await this.run(['enroll', '--server', serverUrl, '--token', token, '--json']);
    if (r.code !== 0) throw new Error(`${this.name}: enroll failed (${r.code}): ${r.stderr}`);
    this.deviceId = JSON.parse(r.stdout).deviceId;
    return this.deviceId;
  }

  /** Starts `run` and waits until it says it is connected. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.launch();
    await this.waitConnected(true, timeoutMs);
  }

  /** Starts `run` without waiting for it to connect (for a server that will refuse it). */
  launch(): void {
    if (this.#daemon) throw new Error(`${this.name}: daemon already running`);
    const child = spawn(process.execPath, [AGENT_BUNDLE, 'run'], { env: this.env(), stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => this.#logs.push(String(d)));
    this.#daemon = child;
  }

  /** Whether the daemon started last is still running. */
  get running(): boolean {
    return this.#daemon !== null && this.#daemon.exitCode === null && this.#daemon.signalCode === null;
  }

  async waitConnected(connected: boolean, timeoutMs = 10_000): Promise<void> {
    await until(`${this.name} daemon ${connected ? 'connected' : 'disconnected'}`, async () => {
      if (this.#daemon && this.#daemon.exitCode !== null) throw new Error(`${this.name}: daemon exited ${this.#daemon.exitCode}: ${this.#logs.join('')}`);
      return (await readDaemonStatus(this.paths))?.connected === connected;
    }, timeoutMs);
  }

  /** Stops the daemon with SIGTERM (a clean shutdown) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#daemon;
    this.#daemon = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  /**
   * `login --json`: waits for the code, lets `enter` type it in the portal, and returns what the
   * command printed when it finished.
   */
  async login(enter: (userCode: string) => Promise<void>): Promise<{ code: number | null; events: Array<Record<string, unknown>> }> {
    const child = spawn(process.execPath, [AGENT_BUNDLE, 'login', '--json', '--timeout', '20'], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const events: Array<Record<string, unknown>> = [];
    const lines = createInterface({ input: child.stdout });
    const entered: Array<Promise<void>> = [];
    lines.on('line', (line) => {
      const ev = JSON.parse(line) as Record<string, unknown>;
      events.push(ev);
      if (ev.event === 'code') entered.push(enter(String(ev.userCode)));
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await Promise.all(entered);
    if (code !== 0) throw new Error(`${this.name}: login exited ${code}: ${JSON.stringify(events)} ${stderr}`);
    return { code, events };
  }

  async check(productCode: string, extraEnv: Record<string, string> = {}): Promise<CheckResult> {
    const r = await this.run(['check', productCode, '--json'], extraEnv);
    if (r.code === 2 || !r.stdout) throw new Error(`${this.name}: check failed to run (${r.code}): ${r.stderr}`);
    return { code: r.code, json: JSON.parse(r.stdout) };
  }

  lease(productCode: string): Promise<LeaseFile> {
    return readLeaseFile(this.paths, productCode);
  }

  /** Waits until the product's lease file is in the wanted state (held or revoked). */
  async waitLease(productCode: string, kind: LeaseFile['kind'], timeoutMs = 5000): Promise<LeaseFile> {
    return until(`${this.name} ${productCode} lease ${kind}`, async () => {
      const f = await this.lease(productCode);
      return f.kind === kind ? f : null;
    }, timeoutMs);
  }

  logs(): string {
    return this.#logs.join('');
  }

  async dispose(): Promise<void> {
    await this.stop();
    await fs.rm(path.dirname(this.home), { recursive: true, force: true });
  }
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 5000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
