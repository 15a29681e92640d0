import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from './log.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'sk-log-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('agent log', () => {
  it('writes JSON lines to agent.log in the given directory', async () => {
    const logger = createLogger({ dir: path.join(dir, 'logs') });
    logger.info('lease: stored', { productCode: 'ACAD' });
    logger.debug('not at info level');
    await logger.close();
    const lines = (await fs.readFile(path.join(dir, 'logs', 'agent.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ level: 'info', message: 'lease: stored', productCode: 'ACAD', timestamp: expect.any(String) })]);
  });

  it('rotates by size, keeps at most maxFiles, and keeps the newest entries in agent.log', async () => {
    const logger = createLogger({ dir, maxsize: 2_000, maxFiles: 3 });
    // Paced like a real agent: winston's File transport drops a synchronous burst that rotates
    // before the first file has even opened.
    for (let i = 0; i < 200; i++) {
      logger.info(`line ${i}`, { pad: 'x'.repeat(50) });
      await new Promise((r) => setTimeout(r, 1));
    }
    await logger.close();
    const files = (await fs.readdir(dir)).sort();
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(3);
    expect(files).toContain('agent.log');
    expect(await fs.readFile(path.join(dir, 'agent.log'), 'utf8')).toContain('line 199');
  });

  it('is silent and harmless without a directory, and close() can be called twice', async () => {
    const logger = createLogger({});
    logger.error('nowhere');
    await logger.close();
    await logger.close();
    expect(await fs.readdir(dir)).toEqual([]);
  });
});
