// Whether the agent runs as a Node single-executable application, and the adjustments that need:
// this module is cli.ts's first import, so it runs before ws and fetch are loaded.
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

/** Wine sets WINELOADER in every Windows process it runs; Windows itself never does. */
export const underWine = (env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform) => platform === 'win32' && Boolean(env.WINELOADER);

// Under Wine (where the Windows build is tested) a TCP connect fails with UNKNOWN when keep-alive
// was set on the socket before it connected, which fetch (undici) does for every connection. Only
// there, keep-alive set while connecting is applied once connected.
if (underWine() && typeof require === 'function') {
  const net = require('node:net') as typeof import('node:net');
  const setKeepAlive = net.Socket.prototype.setKeepAlive;
  net.Socket.prototype.setKeepAlive = function (this: import('node:net').Socket, enable?: boolean, initialDelay?: number) {
    if (!this.connecting) return setKeepAlive.call(this, enable, initialDelay);
    this.once('connect', () => setKeepAlive.call(this, enable, initialDelay));
    return this;
  };
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
