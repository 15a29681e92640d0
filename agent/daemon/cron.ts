// node-cron, loaded so the bundle gets its CommonJS build. Its ESM build computes a path from
// `import.meta.url` when loaded, which is empty in the agent's CommonJS bundle and the single
// executable; esbuild picks the CJS build only for a `require` call, so the bundle requires it
// and ESM runs (vitest) import it. The specifier is a variable so esbuild does not also bundle
// the ESM build for the import() branch.
import type { ScheduledTask, TaskOptions } from 'node-cron';

export interface NodeCronApi {
  schedule(expression: string, fn: () => void, options?: TaskOptions): ScheduledTask;
  validate(expression: string): boolean;
}

const ESM_SPECIFIER = 'node-cron';

export async function loadNodeCron(): Promise<NodeCronApi> {
  if (typeof require === 'function') return require('node-cron') as NodeCronApi;
  const mod = (await import(ESM_SPECIFIER)) as { default: NodeCronApi };
  return mod.default;
}
