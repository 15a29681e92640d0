// `check PRODUCT`: exit 0 when the product may run here now, 1 when not (with the reason).
// Runs every time CAD starts, so its module graph is kept lean: no logger, no zod, no jose, no
// systeminformation (test/agent/lean-check.test.ts), and every read is synchronous.
import { CATALOG_CODES } from '../local/catalog-codes.js';
import { checkProduct, describeCheck } from '../local/check.js';
import { readCheckConfigSync, type CheckConfig } from '../state/check-config.js';
import { readLeaseFileSync } from '../state/lease-file.js';
import { recordCheck } from '../state/usage-spool.js';
import { isProductCode } from '../state/shapes.js';
import { cannotReadConfig, notEnrolled } from './config-messages.js';
import { EXIT_FAIL, EXIT_OK, JSON_HELP, STATE_DIR_HELP, UsageError, jsonOption, stateDirOption, writeJson, type Command, type CommandContext } from './types.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'may PRODUCT run here now? (exit 0 yes, 1 no, 2 usage or not enrolled)',
  synopsis: 'PRODUCT [--json] [--state-dir DIR]',
  details: [JSON_HELP, STATE_DIR_HELP, 'PRODUCT is a catalog code, in any case (sw-premium is SW-PREMIUM).', 'Works offline, from the cached lease alone.'],
  options: { ...jsonOption, ...stateDirOption },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const typed = ctx.positionals[0] ?? '';
    // Codes are upper case in the catalog and on the wire; a person types them as they like.
    const productCode = typed.trim().toUpperCase();
    if (!isProductCode(productCode)) throw new UsageError(`not a product code: ${JSON.stringify(typed)}`);
    const config = loadCheckConfig(ctx);
    if (typeof config === 'number') return config;
    // A typo must not read as "no lease". A code this agent's catalog lacks but a lease is cached
    // for (a newer server's product) is still checked.
    if (!CATALOG_CODES.includes(productCode) && readLeaseFileSync(ctx.paths, productCode).kind === 'none') {
      throw new UsageError(`unknown product ${productCode}: not in the catalog (${CATALOG_CODES.join(', ')})`);
    }
    // An unreadable lease cache throws StateAccessError: exit 2 with the reason (cli.ts), not "tampered".
    const r = await checkProduct({ paths: ctx.paths, config, productCode, clock: ctx.env.clock });
    // Counted for the admin's idle-seat and denial reports (the daemon sends the counts).
    recordCheck(ctx.paths.usageSpool, ctx.env.clock.now(), productCode, r.ok ? 'ok' : r.reason, ctx.env.localUser);
    if (ctx.values.json) writeJson(ctx.io, { mayRun: r.ok, ...r });
    else ctx.io.out(r.ok ? `${productCode}: ${describeCheck(r)}\n` : `${productCode}: may not run: ${describeCheck(r)}\n`);
    return r.ok ? EXIT_OK : EXIT_FAIL;
  },
};

/** config.json as check needs it; prints "not enrolled" or why it cannot be read and returns exit 2. */
function loadCheckConfig(ctx: CommandContext): CheckConfig | number {
  let config: CheckConfig | null;
  try {
    config = readCheckConfigSync(ctx.paths);
  } catch (e) {
    return cannotReadConfig(ctx, e);
  }
  return config ?? notEnrolled(ctx);
}
