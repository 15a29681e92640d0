// Whether the agent runs as a Node single-executable application, and the one adjustment that
// needs: this module is cli.ts's first import, so it runs before ws is loaded.
export function isSea(): boolean {
  try {
    // node:sea exists from Node 20.12; `require` is the CommonJS one the bundle runs with (absent under vitest).
    return typeof require === 'function' && (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

// In a single executable `require` loads only built-ins and warns on every other name; ws probes
// its optional native add-ons (bufferutil, utf-8-validate) with `require` unless told not to.
if (isSea()) {
  process.env.WS_NO_BUFFER_UTIL ??= '1';
  process.env.WS_NO_UTF_8_VALIDATE ??= '1';
}

/** A file embedded in the single executable (the Windows build carries WinSW), or null. */
export function seaAsset(name: string): Uint8Array | null {
  if (!isSea()) return null;
  try {
    return new Uint8Array((require('node:sea') as { getAsset(key: string): ArrayBuffer }).getAsset(name));
  } catch {
    return null;
  }
}
