import { describe, expect, it } from 'vitest';
import { withDefaults } from './config.js';

describe('server config', () => {
  it('fills in the documented defaults', () => {
    expect(withDefaults({ dataDir: '/srv/sk' })).toMatchObject({ port: 8080, host: '127.0.0.1', mail: { kind: 'outbox', dir: '/srv/sk/outbox' } });
  });

  it.each([
    ['a port out of range', { port: 70_000 }, /config\.port/],
    ['a public URL that is not one', { publicUrl: 'seats.example.com' }, /config\.publicUrl/],
    ['a public URL that is not http(s)', { publicUrl: 'ftp://seats.example.com' }, /config\.publicUrl/],
  ])('refuses %s, naming the field', (_label, over, message) => {
    expect(() => withDefaults({ dataDir: '/srv/sk', ...over })).toThrow(message);
  });

  it('accepts an https public URL with a path', () => {
    expect(withDefaults({ dataDir: '/srv/sk', publicUrl: 'https://seats.example.com/licenses' }).publicUrl).toBe('https://seats.example.com/licenses');
  });
});
