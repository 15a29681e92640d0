// The bins run bundles that `npm run build` makes in dist/. Before the first build there are none:
// say so in one line and exit 1, rather than let Node print a module-not-found stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of dist/<file>; exits with a one-line hint when it has not been built. */
export function builtEntry(file, command) {
  const path = fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
  if (!existsSync(path)) {
    process.stderr.write(`${command}: not built yet (dist/${file} is missing); run \`npm run build\` first\n`);
    process.exit(1);
  }
  return path;
}
