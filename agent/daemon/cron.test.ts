import { describe, expect, it } from 'vitest';
import { loadNodeCron } from './cron.js';

describe('loadNodeCron', () => {
  it('loads node-cron under ESM too, and it validates and schedules', async () => {
    const cron = await loadNodeCron();
    expect(cron.validate('*/15 * * * *')).toBe(true);
    expect(cron.validate('every tuesday')).toBe(false);
    const task = cron.schedule('* * * * * *', () => {});
    expect(task.getNextRun()).toBeInstanceOf(Date);
    await task.stop();
  });
});
