// Builds the admin portal into server/web/dist with Vite, unless the build is newer than every
// source it comes from (so `npm test` and `npm start` stay quick). `--force` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'server/web');
const stamp = join(web, 'dist/index.html');
const inputs = [join(web, 'src'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(root, 'shared'), join(root, 'scripts/build-web.mjs'), join(root, 'package-lock.json')];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
}

const force = process.argv.includes('--force');
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (!force && builtAt > Math.max(...inputs.map(newest))) {
  process.stdout.write(`portal is up to date (${relative(root, stamp)})\n`);
} else {
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
  process.stdout.write(`portal built into ${relative(root, join(web, 'dist'))}\n`);
}
