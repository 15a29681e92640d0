// The store options every test's store runs with: vitest.config.ts sets SEATKEEPER_STORE_VERIFY=1,
// so every journal line is checked against memory and a write that escaped the tracker fails loudly.
import type { CommitOptions } from '../../server/store/committed-doc.js';

export const testCommitOptions: Partial<CommitOptions> = { verify: process.env.SEATKEEPER_STORE_VERIFY === '1' };
