// `inventory`: what is installed here, as the daemon would report it.
import { demoCatalog } from '../../shared/catalog.js';
import { detectInstalled } from '../detect/index.js';
import { takeInventory } from '../detect/inventory.js';
import { readConfig } from '../state/config.js';
import { detectRootFor } from './cli-helpers.js';
import { EXIT_OK, JSON_HELP, STATE_DIR_HELP, jsonOption, stateDirOption, writeJson, type Command } from './types.js';

export const inventoryCommand: Command = {
  name: 'inventory',
  summary: 'list installed products as detected',
  synopsis: '[--root DIR] [--json] [--state-dir DIR]',
  details: ['--root DIR        detection root (env SEATKEEPER_DETECT_ROOT; default from enroll, else /)', JSON_HELP, STATE_DIR_HELP],
  options: { ...jsonOption, ...stateDirOption, root: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const config = await readConfig(ctx.paths).catch(() => null);
    const root = detectRootFor(ctx, config);
    const inv = await takeInventory(() => detectInstalled({ products: demoCatalog, platform: ctx.env.platform, root }));
    if (ctx.values.json) {
      writeJson(ctx.io, { root: ctx.env.platform === 'win32' ? null : root, ...inv });
      return EXIT_OK;
    }
    if (inv.items.length === 0) ctx.io.out('no products detected\n');
    for (const i of inv.items) {
      ctx.io.out(`${i.productCode.padEnd(12)} ${(i.version ?? '?').padEnd(14)} ${i.path}${i.serial ? `  serial ${i.serial}` : ''}\n`);
    }
    return EXIT_OK;
  },
};
