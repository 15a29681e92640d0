import { defineConfig } from 'vitest/config';

// Tests start real servers and real agent processes; two cores, so keep parallelism modest.
export default defineConfig({
  test: {
    include: ['{agent,server,shared,test,scripts}/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    // Every journal line is checked against memory: a write that escaped the store's tracker fails loudly.
    env: { SEATKEEPER_STORE_VERIFY: '1' },
    hookTimeout: 60_000,
  },
});
