// One OrgIndex per organization document, for the gateway's per-device work (a hello, an
// inventory, a renewal) to cost what the device holds, not what the organization holds. Rebuilt
// when the document object is replaced (a failed flush restores it from disk) or when told to.
import { OrgIndex } from '../domain/org-index.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';

export class IndexCache {
  readonly #byOrg = new Map<string, OrgIndex>();
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The index of the organization's current document; undefined when there is no such organization. */
  get(orgId: string): OrgIndex | undefined {
    const doc = this.#store.org(orgId);
    if (!doc) return undefined;
    let idx = this.#byOrg.get(orgId);
    if (!idx || idx.doc !== doc) {
      idx = new OrgIndex(doc, this.#clock(), this.#store.changeFeed(orgId));
      this.#byOrg.set(orgId, idx);
    }
    return idx;
  }

  /** Leases were written outside the index (re-enrollment, pruning) or time moved on: rebuild on next use. */
  invalidate(orgId?: string): void {
    if (orgId === undefined) this.#byOrg.clear();
    else this.#byOrg.delete(orgId);
  }
}
