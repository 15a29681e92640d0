// Changes: which records transactions wrote, so a commit writes just those records instead of the
// whole document. Documents are maps of collections (`devices`, `leases`, …) keyed by id; a write
// anywhere inside `doc.devices[id]` marks `devices/id`. A write to a top-level value that is not
// such a map (an array, a number) marks the whole value.
//
// Transactions see the document through proxies that only watch writes; reads go straight to the
// real objects. Proxies never end up inside the stored data: values written are unwrapped first.

/** One change: a record as it now stands, or (`v` absent) its deletion; `i` absent: the whole value `k`. */
export interface Change {
  k: string;
  i?: string;
  v?: unknown;
}

/** Where a tracked document reports writes, and its proxies (one per object, so identity holds). */
export interface Marks {
  markWhole(k: string): void;
  markRecord(k: string, id: string): void;
  readonly proxies: WeakMap<object, object>;
}

/** The changes a batch of transactions made, as marks; `collect` turns them into `Change`s. */
export class Changes implements Marks {
  readonly whole = new Set<string>();
  readonly records = new Map<string, Set<string>>();
  readonly proxies = new WeakMap<object, object>();

  get empty(): boolean {
    return this.whole.size === 0 && this.records.size === 0;
  }

  markWhole(k: string): void {
    this.whole.add(k);
    this.records.delete(k);
  }

  markRecord(k: string, id: string): void {
    if (this.whole.has(k)) return;
    let ids = this.records.get(k);
    if (!ids) this.records.set(k, (ids = new Set()));
    ids.add(id);
  }

  /** The changes as they stand in `doc` now (values are copied by serializing them). */
  collect(doc: object): Change[] {
    const d = doc as Record<string, unknown>;
    const out: Change[] = [];
    for (const k of this.whole) out.push(k in d ? { k, v: d[k] } : { k });
    for (const [k, ids] of this.records) {
      const coll = d[k] as Record<string, unknown> | undefined;
      for (const i of ids) out.push(coll && Object.prototype.hasOwnProperty.call(coll, i) ? { k, i, v: coll[i] } : { k, i });
    }
    return out;
  }
}

const targets = new WeakMap<object, object>();

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/** The real object behind a tracking proxy, with any proxies nested in it replaced too. */
export function unwrap<T>(value: T): T {
  // Every write inside a transaction passes through here: most write a number or a string.
  return isObject(value) ? unwrapObject(value, new Set()) : value;
}

function unwrapObject<T extends object>(value: T, seen: Set<object>): T {
  const real = (targets.get(value) ?? value) as T;
  if (seen.has(real)) return real;
  seen.add(real);
  for (const key of Object.keys(real)) {
    const v = (real as Record<string, unknown>)[key];
    if (isObject(v)) {
      const u = unwrapObject(v, seen);
      if (u !== v) (real as Record<string, unknown>)[key] = u;
    }
  }
  return real;
}

/**
 * A proxy over `target` that calls `onWrite(key)` before any write to it, and hands nested objects
 * to `child` so they are watched too. Frozen objects are returned as they are (nothing writes them).
 */
function watch<T extends object>(
  target: T,
  changes: Marks,
  onWrite: (key: string) => void,
  child: (key: string, v: object) => object,
): T {
  const known = changes.proxies.get(target);
  if (known) return known as T;
  const proxy = new Proxy(target, {
    get(t, key) {
      const v = (t as Record<string | symbol, unknown>)[key];
      return typeof key === 'string' && isObject(v) && !Object.isFrozen(t) ? child(key, v) : v;
    },
    set(t, key, value) {
      onWrite(String(key));
      (t as Record<string | symbol, unknown>)[key] = unwrap(value);
      return true;
    },
    deleteProperty(t, key) {
      onWrite(String(key));
      return Reflect.deleteProperty(t, key);
    },
    defineProperty(t, key, desc) {
      onWrite(String(key));
      return Reflect.defineProperty(t, key, 'value' in desc ? { ...desc, value: unwrap(desc.value) } : desc);
    },
  });
  changes.proxies.set(target, proxy);
  targets.set(proxy, target);
  return proxy;
}

/** Everything under one record (or one whole top-level value) reports to the same mark. */
function deep<T extends object>(target: T, changes: Marks, mark: () => void): T {
  return watch(target, changes, mark, (_k, v) => deep(v, changes, mark));
}

function isCollection(v: unknown): v is Record<string, unknown> {
  return isObject(v) && !Array.isArray(v);
}

/** The document as a transaction sees it: every write lands in `changes`. */
export function track<T extends object>(doc: T, changes: Marks): T {
  return watch(
    doc,
    changes,
    (k) => changes.markWhole(k),
    (k, v) =>
      isCollection(v)
        ? watch(
            v,
            changes,
            (id) => changes.markRecord(k, id),
            (id, rec) => deep(rec, changes, () => changes.markRecord(k, id)),
          )
        : deep(v, changes, () => changes.markWhole(k)),
  );
}

/** Replays changes onto a document (used when loading, and when undoing a failed flush). */
export function applyChanges(doc: object, changes: Change[]): void {
  const d = doc as Record<string, unknown>;
  for (const c of changes) {
    if (c.i === undefined) {
      if ('v' in c) d[c.k] = c.v;
      else delete d[c.k];
      continue;
    }
    let coll = d[c.k] as Record<string, unknown> | undefined;
    if (!isObject(coll)) d[c.k] = coll = {};
    if ('v' in c) coll[c.i] = c.v;
    else delete coll[c.i];
  }
}
