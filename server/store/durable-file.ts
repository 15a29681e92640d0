// Crash-safe file writes: a write is on disk, whole, before it is acknowledged. Temp file, fsync,
// rename over the old file, fsync the directory (so the rename itself survives a power cut).
import { open, rename, unlink, truncate, stat } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileDurable(path: string, content: string | string[]): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  let fh;
  try {
    fh = await open(tmp, 'w', 0o600);
    if (typeof content === 'string') await fh.writeFile(content, 'utf8');
    else {
      // Encode and write ~256 KiB at a time: one huge string would be encoded in one blocking go.
      let chunk = '';
      for (const part of content) {
        chunk += part;
        if (chunk.length >= 256 * 1024) {
          await fh.write(chunk, null, 'utf8');
          chunk = '';
        }
      }
      if (chunk) await fh.write(chunk, null, 'utf8');
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  // The rename has happened: the new text is what a restart reads, so the write counts as done
  // (memory must not roll back behind disk). A failed directory sync only weakens power-cut safety.
  await fsyncDir(dirname(path)).catch(() => {});
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Appends lines and fsyncs; on failure cuts the file back so no half-written line remains.
 * Returns the file's size before the append (0 when it did not exist), where an undo cuts back to.
 */
export async function appendDurable(path: string, text: string): Promise<number> {
  let before = 0;
  try {
    before = (await stat(path)).size;
  } catch {
    before = -1;
  }
  let fh;
  try {
    fh = await open(path, 'a', 0o600);
    await fh.appendFile(text, 'utf8');
    await fh.sync();
    await fh.close();
  } catch (err) {
    await fh?.close().catch(() => {});
    if (before >= 0) await truncate(path, before).catch(() => {});
    else await unlink(path).catch(() => {});
    throw err;
  }
  if (before < 0) await fsyncDir(dirname(path));
  return Math.max(before, 0);
}

/** Cuts a file to nothing and makes that durable (a missing file is already empty). */
export async function emptyDurable(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await fh.truncate(0);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Cuts a file back to `size` bytes and makes that durable (taking back an append). */
export async function truncateDurable(path: string, size: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(size);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
