// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over the
// target, fsync the directory. A reader sees the old file or the new one, never half of either.
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

export interface AtomicWriteOptions {
  /** file mode of the new file (default 0o644); the temp file is created with it, so a secret is never readable */
  mode?: number;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = opts.mode ?? 0o644;
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // open() applies the umask; chmod makes the mode exact (0600 for keys must not become 0644 either way).
    await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

export async function writeJsonAtomic(file: string, value: unknown, opts?: AtomicWriteOptions): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, opts);
}

/** Reads and JSON-parses a file; null when it does not exist. Throws on unreadable or non-JSON content. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return JSON.parse(text);
}

/**
 * The file's content when it is there, is JSON and matches `schema`; null when it is missing,
 * unreadable or damaged. For files whose loss only costs information the daemon writes again.
 */
export async function readValid<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S> | null> {
  try {
    const parsed = schema.safeParse(await readJson(file));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * readJson without the thread pool, for `check`: a local file of a few hundred bytes reads in
 * microseconds, while an async read costs a thread-pool round trip (and its tail) each time.
 */
export function readJsonSync(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return JSON.parse(text);
}

async function fsyncDir(dir: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; the rename is as durable as NTFS makes it.
  if (process.platform === 'win32') return;
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
