// The agent's version: esbuild defines __SEATKEEPER_VERSION__ from package.json; under vitest
// (no bundling) the constant does not exist and we report a dev version.
declare const __SEATKEEPER_VERSION__: string | undefined;

export const AGENT_VERSION: string =
  typeof __SEATKEEPER_VERSION__ === 'string' && __SEATKEEPER_VERSION__.length > 0 ? __SEATKEEPER_VERSION__ : '0.0.0-dev';
