// `status`: enrollment, connection, signed-in user, and every known product's lease.
import { gatherStatus, type StatusReport } from '../local/status.js';
import { readConfig } from '../state/config.js';
import { EXIT_OK, JSON_HELP, STATE_DIR_HELP, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

const ago = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 1000)}s` : ms < 3_600_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 3_600_000)}h`);

export function renderStatus(r: StatusReport, now: number): string {
  const lines: string[] = [];
  if (!r.enrolled) return `not enrolled (state dir ${r.stateDir})\n`;
  lines.push(`device      ${r.deviceId} in ${r.organization?.name} (${r.organization?.id})`);
  lines.push(`server      ${r.server}`);
  if (!r.daemon) lines.push('daemon      not running (no status.json)');
  else if (r.daemon.stale) lines.push(`daemon      not running (pid ${r.daemon.pid} is gone; last heard ${ago(r.daemon.ageMs)} ago)`);
  else
    lines.push(
      `daemon      ${r.daemon.connected ? 'connected' : 'disconnected'} for ${ago(Math.max(0, now - r.daemon.since))} (pid ${r.daemon.pid})` +
        (!r.daemon.connected && r.daemon.lastError ? ` — ${r.daemon.lastError}` : ''),
    );
  lines.push(`signed in   ${r.signedIn ? `${r.signedIn.name} <${r.signedIn.email}>` : 'nobody'}`);
  if (r.products.length === 0) lines.push('products    none');
  for (const p of r.products) {
    lines.push(`  ${p.productCode.padEnd(12)} ${(p.method ?? '-').padEnd(11)} ${p.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'enrollment, connection, signed-in user and leases',
  synopsis: '[--json] [--state-dir DIR]',
  details: [JSON_HELP, STATE_DIR_HELP],
  options: { ...jsonOption, ...stateDirOption },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const config = await readConfig(ctx.paths).catch(() => null);
    const report = await gatherStatus(ctx.paths, config, ctx.env.clock);
    if (ctx.values.json) writeJson(ctx.io, report);
    else ctx.io.out(renderStatus(report, ctx.env.clock.now()));
    return EXIT_OK;
  },
};
