// `logout`: sign the user out here; their leases are dropped at once.
import { runLogout } from '../link/logout.js';
import { fileLogger, loadEnrolled, shortLinkOptions } from './cli-helpers.js';
import { EXIT_FAIL, EXIT_OK, JSON_HELP, STATE_DIR_HELP, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'sign out; drops the user\'s leases on this machine',
  synopsis: '[--json] [--state-dir DIR]',
  details: [JSON_HELP, STATE_DIR_HELP, 'Exits 1 when the server could not be told (the leases are dropped locally anyway).'],
  options: { ...jsonOption, ...stateDirOption },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const enrolled = await loadEnrolled(ctx);
    if (typeof enrolled === 'number') return enrolled;
    const logger = fileLogger(ctx);
    try {
      const r = await runLogout(shortLinkOptions(ctx, enrolled, logger));
      if (ctx.values.json) writeJson(ctx.io, r);
      else {
        ctx.io.out(`${r.account ? `Signed out ${r.account.email}.` : 'Nobody was signed in.'} Dropped: ${r.dropped.length > 0 ? r.dropped.join(', ') : 'none'}\n`);
        if (!r.serverNotified) ctx.io.err('seatkeeper-agent: the server could not be reached; it will be told on the next connection\n');
      }
      return r.serverNotified ? EXIT_OK : EXIT_FAIL;
    } finally {
      await logger.close();
    }
  },
};
