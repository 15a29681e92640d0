// `check PRODUCT`: exit 0 when the product may run here now, 1 when not (with the reason).
import { demoCatalog } from '../../shared/catalog.js';
import { ProductCode } from '../../shared/protocol/common.js';
import { checkProduct, describeCheck } from '../local/check.js';
import { readLeaseFileSync } from '../state/lease-store.js';
import { loadConfig } from './cli-helpers.js';
import { EXIT_FAIL, EXIT_OK, JSON_HELP, STATE_DIR_HELP, UsageError, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

/** Product codes of the catalog the agent detects with (the one organizations are created with). */
const catalogCodes = new Set(demoCatalog.map((p) => p.code));

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
    if (!ProductCode.safeParse(productCode).success) throw new UsageError(`not a product code: ${JSON.stringify(typed)}`);
    const config = await loadConfig(ctx);
    if (typeof config === 'number') return config;
    // A typo must not read as "no lease". A code this agent's catalog lacks but a lease is cached
    // for (a newer server's product) is still checked.
    if (!catalogCodes.has(productCode) && readLeaseFileSync(ctx.paths, productCode).kind === 'none') {
      throw new UsageError(`unknown product ${productCode}: not in the catalog (${[...catalogCodes].join(', ')})`);
    }
    // An unreadable lease cache throws StateAccessError: exit 2 with the reason (cli.ts), not "tampered".
    const r = await checkProduct({ paths: ctx.paths, config, productCode, clock: ctx.env.clock });
    if (ctx.values.json) writeJson(ctx.io, { mayRun: r.ok, ...r });
    else ctx.io.out(r.ok ? `${productCode}: ${describeCheck(r)}\n` : `${productCode}: may not run: ${describeCheck(r)}\n`);
    return r.ok ? EXIT_OK : EXIT_FAIL;
  },
};
