// The daemon's cron: the expressions cron-expression.ts reads run on one timer set to the next
// match, with no Intl (so no ICU data resident); any other is node-cron's, loaded only then.
// node-cron is loaded so the bundle gets its CommonJS build. Its ESM build computes a path from
// `import.meta.url` when loaded, which is empty in the agent's CommonJS bundle and the single
// executable; esbuild picks the CJS build only for a `require` call, so the bundle requires it
// and ESM runs (vitest) import it. The specifier is a variable so esbuild does not also bundle
// the ESM build for the import() branch.
import type { TaskOptions } from 'node-cron';
import { nextCronRun, parseCron, type CronFields } from './cron-expression.js';

export interface CronTask {
  stop(): unknown;
}

export interface NodeCronApi {
  schedule(expression: string, fn: () => unknown, options?: TaskOptions): CronTask;
  validate(expression: string): boolean;
}

const ESM_SPECIFIER = 'node-cron';
/** setTimeout's longest delay is about 24.8 days; a later run is reached by re-arming. */
const MAX_DELAY_MS = 86_400_000;

/** Runs `fn` at each match of `fields`; with noOverlap a run still going skips the next. */
export function scheduleLocal(fields: CronFields, fn: () => unknown, options: { noOverlap?: boolean } = {}, now: () => Date = () => new Date()): CronTask {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running = false;
  const arm = (from: Date) => {
    const next = nextCronRun(fields, from);
    if (stopped || !next) return;
    const wait = () => {
      const left = next.getTime() - now().getTime();
      if (left > 0) {
        timer = setTimeout(wait, Math.min(left, MAX_DELAY_MS));
        return;
      }
      arm(next);
      if (options.noOverlap && running) return;
      running = true;
      void Promise.resolve()
        .then(fn)
        .catch(() => {})
        .finally(() => (running = false));
    };
    wait();
  };
  arm(now());
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export async function loadNodeCron(): Promise<NodeCronApi> {
  // Under vitest (ESM, no `require`) node-cron is imported now; in the bundle, when first needed.
  const esm = typeof require === 'function' ? null : ((await import(ESM_SPECIFIER)) as { default: NodeCronApi }).default;
  let loaded: NodeCronApi | null = esm;
  const nodeCron = () => (loaded ??= require('node-cron') as NodeCronApi);
  return {
    validate: (expression) => parseCron(expression) !== null || nodeCron().validate(expression),
    schedule(expression, fn, options) {
      const fields = parseCron(expression);
      return fields ? scheduleLocal(fields, fn, options) : nodeCron().schedule(expression, fn, options);
    },
  };
}
