// A gate held while a document is serialized in slices (see chunked-json.ts): transactions wait for
// it to open, so each snapshot is one consistent state without stalling the event loop for the
// whole document. One gate is shared by every document of a store.

export class SerializeGate {
  #held = 0;
  #waiters: Array<() => void> = [];
  get closed(): boolean {
    return this.#held > 0;
  }
  hold(): void {
    this.#held++;
  }
  release(): void {
    if (--this.#held === 0) for (const w of this.#waiters.splice(0)) w();
  }
  wait(): Promise<void> {
    return this.#held === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }
}
