// DATA/operator.json: how `seatkeeper-server orgs …` finds the server running on a data directory
// (its loopback URL and a random operator token). The file is 0600 in the 0700 data directory; the
// server keeps only the token's hash, compared in constant time, and removes the file on close.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hashSecret } from '../core/ids.js';

export const OPERATOR_FILE = 'operator.json';

export interface OperatorFile {
  url: string;
  token: string;
  pid: number;
}

/** The hash of the running server's operator token, per store (one server per store). */
const keys = new WeakMap<object, string>();

export function setOperatorKey(owner: object, tokenHash: string): void {
  keys.set(owner, tokenHash);
}

/** Does `Authorization: Operator <token>` carry the token of the server that owns `owner`? */
export function operatorTokenMatches(owner: object, authorization: string | undefined): boolean {
  const expected = keys.get(owner);
  const m = /^Operator ([A-Za-z0-9_-]{16,128})$/.exec(authorization ?? '');
  if (!expected || !m) return false;
  return timingSafeEqual(Buffer.from(hashSecret(m[1]!), 'hex'), Buffer.from(expected, 'hex'));
}

/** Any loopback address (the socket's own peer, never a forwarded one). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Writes a fresh operator file for `url`; returns the token's hash and the file's removal. */
export async function writeOperatorFile(dataDir: string, url: string): Promise<{ tokenHash: string; remove(): Promise<void> }> {
  const token = randomBytes(32).toString('base64url');
  const path = join(dataDir, OPERATOR_FILE);
  await unlink(path).catch(() => undefined);
  const body = JSON.stringify({ url, token, pid: process.pid } satisfies OperatorFile);
  // 'wx': a file someone slipped in between the unlink and here is refused, never written through.
  const fh = await open(path, 'wx', 0o600);
  await fh.writeFile(body);
  await fh.close();
  return {
    tokenHash: hashSecret(token),
    async remove() {
      if ((await readFile(path, 'utf8').catch(() => '')) === body) await unlink(path).catch(() => undefined);
    },
  };
}

/** Is the server that wrote the file still running? (EPERM: alive, someone else's.) */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readOperatorFile(dataDir: string): Promise<OperatorFile | undefined> {
  try {
    const v = JSON.parse(await readFile(join(dataDir, OPERATOR_FILE), 'utf8')) as Partial<OperatorFile>;
    if (typeof v.url === 'string' && typeof v.token === 'string') return { url: v.url, token: v.token, pid: Number(v.pid) };
  } catch {
    // No file, or not ours: no server to talk to.
  }
  return undefined;
}

/** The running server refused an operator command; the message is for the operator. */
export class OperatorRefusal extends Error {}

/**
 * Sends an operator command to the server running on the data directory. undefined: no server runs
 * there (no file, a process that is gone, or nothing answers at its address), so the command may
 * work offline under the data-directory lock. Throws OperatorRefusal when the server says no.
 */
export async function callOperator<T>(dataDir: string, path: string, init: { method: string; body?: unknown }): Promise<T | undefined> {
  const op = await readOperatorFile(dataDir);
  // Left by a server that crashed: its token is sent to nobody (another program may hold the port now).
  if (!op || !processAlive(op.pid)) return undefined;
  let res: Response;
  try {
    // Every write is JSON, also without a body: the server refuses other writes as cross-site.
    res = await fetch(`${op.url}${path}`, {
      method: init.method,
      headers: { 'content-type': 'application/json', authorization: `Operator ${op.token}` },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return undefined; // left behind by a server that is gone: the lock decides
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
  if (res.status === 404 && body.error?.code === 'ROUTE_NOT_FOUND') {
    throw new OperatorRefusal(`the server at ${op.url} (from ${join(dataDir, OPERATOR_FILE)}) refused the operator token; is it another server? Nothing was changed.`);
  }
  if (!res.ok) throw new OperatorRefusal(body.error?.message ?? `the server answered ${res.status}.`);
  return body;
}
