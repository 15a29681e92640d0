// JSON.stringify in slices. A 10k-seat organization is ~2 MB of JSON, which takes tens of
// milliseconds to stringify on a small server: done in one go it stalls every socket and request.
// Large collections are serialized entry by entry, yielding to the event loop whenever a slice
// has used its budget. The caller must keep the document still meanwhile (the store holds new
// transactions until serialization ends), so the text is one consistent snapshot.

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

const BIG = 256;

export async function stringifyChunked(value: unknown, budgetMs = 4): Promise<string[]> {
  const parts: string[] = [];
  let sliceStart = performance.now();
  const maybeYield = async () => {
    if (performance.now() - sliceStart > budgetMs) {
      await yieldNow();
      sliceStart = performance.now();
    }
  };
  const write = async (v: unknown, depth: number): Promise<void> => {
    if (depth > 2 || v === null || typeof v !== 'object') {
      parts.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      if (v.length < BIG) {
        parts.push(JSON.stringify(v));
        return;
      }
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(',');
        parts.push(JSON.stringify(v[i]) ?? 'null');
        if ((i & 63) === 0) await maybeYield();
      }
      parts.push(']');
      return;
    }
    const keys = Object.keys(v);
    if (depth > 0 && keys.length < BIG) {
      parts.push(JSON.stringify(v));
      return;
    }
    parts.push('{');
    let first = true;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const item = (v as Record<string, unknown>)[k];
      if (item === undefined || typeof item === 'function') continue;
      parts.push(first ? '' : ',', JSON.stringify(k), ':');
      first = false;
      await write(item, depth + 1);
      if ((i & 63) === 0) await maybeYield();
    }
    parts.push('}');
  };
  await write(value, 0);
  return parts;
}
