// Every limit in the configuration is in docs/architecture.md's security table with its default,
// so an operator can see what a stranger may cost the server and what to change.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultLimits, limitsFromEnv, withDefaults } from '../../server/core/config.js';

describe('the limits', () => {
  it('are each documented with their default', async () => {
    const doc = await readFile('docs/architecture.md', 'utf8');
    for (const [name, value] of Object.entries(defaultLimits)) {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(line, name).toBeDefined();
      const n = typeof value === 'number' ? value : value.attempts;
      expect(line!.replace(/ (\d{3})/g, '$1'), name).toContain(String(n));
    }
  });

  it('are filled in by default, changed from SEATKEEPER_LIMITS, and refused when not positive or unknown', () => {
    expect(withDefaults({ dataDir: '/srv/sk' }).limits).toEqual(defaultLimits);
    expect(limitsFromEnv({ SEATKEEPER_LIMITS: '{"passwordHashQueue":5}' })).toMatchObject({ passwordHashQueue: 5, passwordHashConcurrency: 2 });
    expect(() => limitsFromEnv({ SEATKEEPER_LIMITS: '{"nope":1}' })).toThrow(/unknown limit nope/);
    expect(() => limitsFromEnv({ SEATKEEPER_LIMITS: '[' })).toThrow(/not JSON/);
    expect(() => withDefaults({ dataDir: '/srv/sk', limits: { ...defaultLimits, passwordHashQueue: 0 } })).toThrow(/limits\.passwordHashQueue/);
    expect(withDefaults({ dataDir: '/srv/sk' }).trustedProxies).toEqual([]);
  });
});
