import { describe, expect, it } from 'vitest';
import { Changes, applyChanges, track, unwrap } from './changes.js';

interface Doc {
  schema: number;
  org: { name: string; settings: { ttl: number } };
  devices: Record<string, { id: string; tags: string[]; os: { arch: string } }>;
  usage: Array<{ at: number }>;
}

const fresh = (): Doc => ({
  schema: 1,
  org: { name: 'Acme', settings: { ttl: 1 } },
  devices: { d1: { id: 'd1', tags: [], os: { arch: 'x64' } }, d2: { id: 'd2', tags: ['a'], os: { arch: 'arm64' } } },
  usage: [{ at: 1 }],
});

/** Replaying what the tracker collected onto a copy of the old document gives the new one. */
function roundTrip(mutate: (d: Doc) => void): { changes: Changes; doc: Doc; replayed: Doc } {
  const doc = fresh();
  const changes = new Changes();
  mutate(track(doc, changes));
  const replayed = fresh();
  applyChanges(replayed, JSON.parse(JSON.stringify(changes.collect(doc))));
  return { changes, doc, replayed };
}

describe('changes', () => {
  it('marks only the record a nested write lands in', () => {
    const { changes, doc, replayed } = roundTrip((d) => {
      d.devices.d2!.os.arch = 'riscv';
      d.devices.d2!.tags.push('b');
    });
    expect([...changes.records.get('devices')!]).toEqual(['d2']);
    expect(changes.whole.size).toBe(0);
    expect(replayed).toEqual(doc);
  });

  it('journals added and deleted records, whole arrays and top-level values', () => {
    const { changes, doc, replayed } = roundTrip((d) => {
      d.devices.d3 = { id: 'd3', tags: [], os: { arch: 'x64' } };
      delete d.devices.d1;
      d.usage.push({ at: 2 });
      d.org.settings.ttl = 9;
      d.schema = 2;
    });
    expect(changes.whole).toEqual(new Set(['usage', 'schema']));
    expect(replayed).toEqual(doc);
    expect(replayed.devices.d1).toBeUndefined();
  });

  it('reads change nothing', () => {
    const { changes } = roundTrip((d) => {
      void Object.values(d.devices).map((x) => x.os.arch + x.tags.join());
      void JSON.stringify(d);
    });
    expect(changes.empty).toBe(true);
  });

  it('keeps one identity per object, so indexOf and === work inside a transaction', () => {
    roundTrip((d) => {
      const a = d.devices.d1!;
      expect(d.devices.d1).toBe(a);
      const list = Object.values(d.devices);
      expect(list.indexOf(d.devices.d2!)).toBe(1);
    });
  });

  it('never stores a proxy in the data', () => {
    const { doc } = roundTrip((d) => {
      d.devices.d1!.os = d.devices.d2!.os;
      d.devices.copy = { ...d.devices.d2!, id: 'copy' };
    });
    expect(unwrap(doc.devices.d1!.os)).toBe(doc.devices.d1!.os);
    expect(structuredClone(doc)).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
