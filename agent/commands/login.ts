// `login`: sign the workstation user in with a short code entered in the portal.
import { runLogin } from '../link/login.js';
import { fileLogger, loadEnrolled, shortLinkOptions } from './cli-helpers.js';
import { EXIT_FAIL, EXIT_OK, JSON_HELP, STATE_DIR_HELP, UsageError, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in: shows a code to enter in the portal, then fetches your leases',
  synopsis: '[--timeout SECONDS] [--json] [--state-dir DIR]',
  details: ['--timeout SECONDS give up after this long (default: until the code expires)', `${JSON_HELP} (one JSON object per line: code, then done or failed)`, STATE_DIR_HELP],
  options: { ...jsonOption, ...stateDirOption, timeout: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const timeout = ctx.values.timeout;
    let timeoutMs: number | undefined;
    if (typeof timeout === 'string') {
      const s = Number(timeout);
      if (!Number.isFinite(s) || s <= 0) throw new UsageError('--timeout must be a positive number of seconds');
      timeoutMs = s * 1000;
    }
    const enrolled = await loadEnrolled(ctx);
    if (typeof enrolled === 'number') return enrolled;
    const logger = fileLogger(ctx);
    const json = Boolean(ctx.values.json);
    try {
      const r = await runLogin({
        ...shortLinkOptions(ctx, enrolled, logger),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        onCode: (c) => {
          if (json) writeJson(ctx.io, { event: 'code', userCode: c.userCode, verificationUri: c.verificationUri, expiresIn: c.expiresIn });
          else ctx.io.out(`To sign in, open ${c.verificationUri}\nand enter the code: ${c.userCode}\n(the code expires in ${Math.round(c.expiresIn / 60)} min)\n`);
        },
      });
      if (!r.ok) {
        if (json) writeJson(ctx.io, { event: 'failed', reason: r.reason });
        else ctx.io.err(`seatkeeper-agent: sign-in failed: ${r.reason}\n`);
        return EXIT_FAIL;
      }
      if (json) writeJson(ctx.io, { event: 'done', account: r.account, products: r.products });
      else ctx.io.out(`Signed in as ${r.account.name} <${r.account.email}>. Leases: ${r.products.length > 0 ? r.products.join(', ') : 'none'}\n`);
      return EXIT_OK;
    } finally {
      await logger.close();
    }
  },
};
