// `check PRODUCT`: exit 0 when the product may run here now, 1 when not (with the reason).
import { ProductCode } from '../../shared/protocol/common.js';
import { checkProduct, describeCheck } from '../local/check.js';
import { loadConfig } from './cli-helpers.js';
import { EXIT_FAIL, EXIT_OK, JSON_HELP, STATE_DIR_HELP, UsageError, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

export const checkCommand: Command = {
  name: 'check',
  summary: 'may PRODUCT run here now? (exit 0 yes, 1 no, 2 usage or not enrolled)',
  synopsis: 'PRODUCT [--json] [--state-dir DIR]',
  details: [JSON_HELP, STATE_DIR_HELP, 'Works offline, from the cached lease alone.'],
  options: { ...jsonOption, ...stateDirOption },
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const productCode = ctx.positionals[0] ?? '';
    if (!ProductCode.safeParse(productCode).success) throw new UsageError(`not a product code: ${JSON.stringify(productCode)}`);
    const config = await loadConfig(ctx);
    if (typeof config === 'number') return config;
    // An unreadable lease cache throws StateAccessError: exit 2 with the reason (cli.ts), not "tampered".
    const r = await checkProduct({ paths: ctx.paths, config, productCode, clock: ctx.env.clock });
    if (ctx.values.json) writeJson(ctx.io, { mayRun: r.ok, ...r });
    else ctx.io.out(r.ok ? `${productCode}: ${describeCheck(r)}\n` : `${productCode}: may not run: ${describeCheck(r)}\n`);
    return r.ok ? EXIT_OK : EXIT_FAIL;
  },
};
