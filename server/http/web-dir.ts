// Where the built portal lives: server/web/dist in a checkout (dist/web beside a bundle).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function webDirDefault(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, 'web'), resolve(here, '../web/dist'), resolve(here, '../server/web/dist')]) {
    if (existsSync(join(c, 'index.html'))) return c;
  }
  return undefined;
}
