// `check` starts with every CAD launch: its module graph (what the bundle evaluates for it) holds
// no logger, schema library, JOSE library, socket or inventory scanner, and the CLI reaches each
// command only through a dynamic import, so the bundle leaves the others unevaluated.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { generateLeaseKeyPair } from '../../shared/lease.js';
import { AGENT_BUNDLE, ensureAgentBundle } from './helpers/run-agent.js';
import { makeEnrolledState } from './helpers/state.js';

async function graphOf(entry: string): Promise<string[]> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['bufferutil', 'utf-8-validate'],
  });
  return Object.keys((r.metafile as Metafile).inputs);
}

const HEAVY = /node_modules\/(zod|jose|winston|systeminformation|ws|node-cron|node-machine-id|commander)\//;

describe('the lean check path', () => {
  it('loads no logger, zod, jose, ws or systeminformation for `check`', async () => {
    const inputs = await graphOf('agent/commands/check.ts');
    expect(inputs.filter((f) => HEAVY.test(f))).toEqual([]);
    expect(inputs.filter((f) => f.startsWith('agent/') && /log\.ts$|daemon|link\/|detect\//.test(f))).toEqual([]);
  });

  it('the built agent evaluates none of them when it runs `check`: no socket, compression or child-process module is even required', async () => {
    await ensureAgentBundle();
    const st = await makeEnrolledState({ leaseKey: await generateLeaseKeyPair() });
    const preload = path.join(st.dir, 'record-builtins.cjs');
    // Bundled packages are inlined, but the built-ins each one needs still go through require.
    await fs.writeFile(
      preload,
      `const M = require('node:module'); const load = M._load; const seen = new Set();
       M._load = function (r, ...a) { seen.add(String(r).replace(/^node:/, '')); return load.call(this, r, ...a); };
       process.on('exit', () => process.stderr.write('BUILTINS ' + JSON.stringify([...seen]) + '\\n'));`,
    );
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['-r', preload, AGENT_BUNDLE, 'check', 'ACAD', '--state-dir', st.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.code).toBe(1); // enrolled, no lease
      const builtins = JSON.parse(/BUILTINS (.*)/.exec(r.stderr)![1]!) as string[];
      expect(builtins).toContain('crypto'); // the recorder works: check verifies with node:crypto
      for (const heavy of ['http', 'https', 'net', 'tls', 'zlib', 'child_process', 'os', 'events', 'stream']) expect(builtins).not.toContain(heavy);
    } finally {
      await fs.rm(st.dir, { recursive: true, force: true });
    }
  });
});
