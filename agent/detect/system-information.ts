// systeminformation, for the one call `enroll` makes (osInfo). Its 300 KiB are a bundle of their
// own (dist/agent-sysinfo.cjs, an asset inside the single executable), loaded only here: every
// process keeps its script's source resident, and the daemon and `check` never need this one
// (issue 16).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { seaAsset } from '../sea.js';

type SystemInformation = typeof import('systeminformation');

/** The file name of the separate bundle, beside the agent's bundle and as a single-executable asset. */
export const SYSINFO_BUNDLE = 'agent-sysinfo.cjs';

/** Runs CommonJS `source` as a module whose `require` is the agent's own (built-ins, in a single executable). */
function evaluate(source: string, filename: string): SystemInformation {
  const module = { exports: {} as SystemInformation };
  const wrapper = vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  wrapper(module.exports, require, module, filename, path.dirname(filename));
  return module.exports;
}

export async function loadSystemInformation(): Promise<SystemInformation> {
  const asset = seaAsset(SYSINFO_BUNDLE);
  if (asset) return evaluate(Buffer.from(asset).toString('utf8'), SYSINFO_BUNDLE);
  // The bundled agent (dist/agent-bundle.cjs) finds the separate bundle beside itself.
  if (typeof __SEATKEEPER_VERSION__ === 'string') {
    const file = path.join(__dirname, SYSINFO_BUNDLE);
    return evaluate(readFileSync(file, 'utf8'), file);
  }
  // From the sources (tests): the package itself.
  return await import('systeminformation');
}

declare const __SEATKEEPER_VERSION__: string | undefined;
