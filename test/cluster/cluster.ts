// Several real server processes (the built bundle) on one real PostgreSQL, an organization on
// them, and workstations running the real agent: what the cluster tests share.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { buildServerBundle, type BuiltServer } from '../helpers/built-server.js';
import { Client, owner, readMailOf, registered } from '../helpers/client.js';
import { waitForMail } from '../helpers/outbox.js';
import { testDatabaseUrl, usePostgres } from '../helpers/postgres.js';
import { ensureAgentBundle, Workstation } from '../e2e/workstation.js';

export interface Node {
  url: string;
  child: ChildProcess;
  /** kill -9 */
  kill(): Promise<void>;
}

const quiet = { ...process.env, SEATKEEPER_LOG_LEVEL: 'error' };

export function clusterSuite() {
  usePostgres();
  let built: BuiltServer | undefined;
  const dirs: string[] = [];
  const children = new Set<ChildProcess>();
  const stations: Workstation[] = [];
  beforeAll(async () => {
    [built] = await Promise.all([buildServerBundle(), ensureAgentBundle()]);
  }, 180_000);
  afterAll(async () => {
    for (const w of stations) await w.dispose();
    for (const c of children) c.kill('SIGKILL');
    await built?.dispose();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'sk-cluster-'));
    dirs.push(d);
    return d;
  };

  /** A server process on the database (its own data directory: the outbox; the data lives in the database). */
  async function startNode(databaseUrl: string, env: Record<string, string> = {}): Promise<Node> {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, [built!.bundle, '--database', databaseUrl, '--data', dataDir, '--port', '0'], { env: { ...quiet, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((res, rej) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Seatkeeper is running at (http:\/\/\S+)/.exec(out);
        if (m) res(m[1]!);
      });
      child.once('exit', (code) => rej(new Error(`node exited ${code}: ${out} ${err}`)));
    });
    // Each node writes its mail to its own outbox: the helpers verify addresses from it.
    readMailOf(url, (to, subject) => waitForMail(dataDir, to, subject));
    return {
      url,
      child,
      async kill() {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  /** A fresh database with an organization (one line of `seats` named-user seats of SW-PREMIUM) on it. */
  async function orgOn(seats = 5) {
    const databaseUrl = await testDatabaseUrl();
    const serial = `CLUSTER-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const name = 'Cluster Works';
    const orgFile = join(await tempDir(), 'org.json');
    await writeFile(orgFile, JSON.stringify({ name, contracts: [{ number: 'C-CL', serials: [serial], lines: [{ productCode: 'SW-PREMIUM', seats, method: 'named-user' }] }] }));
    const { stdout } = await promisify(execFile)(process.execPath, [built!.bundle, 'add-org', '--file', orgFile, '--database', databaseUrl, '--data', await tempDir()], { env: quiet });
    return { databaseUrl, orgId: stdout.trim(), serial, name };
  }

  /** The org's owner (signed in on `first`), an enrollment token, its line, and members made on demand. */
  async function setUp(org: { orgId: string; serial: string; name: string }, first: Node) {
    const admin = await owner(first.url, org);
    const base = `/api/v1/orgs/${org.orgId}`;
    const token = await admin.client.post(`${base}/enrollment-tokens`, { name: 'cluster', expiresInHours: 1 });
    if (token.status !== 201) throw new Error(`enrollment token: ${token.status}`);
    const lineId = (await admin.client.get(`${base}/contracts`)).body.contracts[0].lines[0].id as string;
    return {
      base,
      lineId,
      admin: admin.client,
      token: token.body.token as string,
      member: () => registered(first.url, { serial: org.serial }),
    };
  }

  async function station(name: string): Promise<Workstation> {
    const ws = await Workstation.create(name);
    stations.push(ws);
    await ws.install('SW-PREMIUM');
    return ws;
  }

  /** `seatkeeper-server …` (the built bundle) with these arguments, to its exit. */
  async function serverCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [built!.bundle, ...args], { env: quiet });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  }

  return { startNode, orgOn, setUp, station, serverCommand, tempDir };
}

/** The same signed-in session, talking to another node (sessions live in the database). */
export function on(node: Node, c: Client): Client {
  const other = new Client(node.url);
  other.cookie = c.cookie;
  return other;
}

/** What a person does in the portal of `node` (any node: codes live in the database) with the code their workstation shows. */
export const activateOn = (node: Node, c: Client) => async (userCode: string) => {
  const r = await on(node, c).post('/api/v1/device-codes/activate', { userCode });
  if (r.status !== 200) throw new Error(`activate on ${node.url}: ${r.status} ${JSON.stringify(r.body)}`);
};
