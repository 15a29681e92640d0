// seatkeeper-agent: the command line. The only module that reads argv, the environment and the
// process's signals; everything else gets what it needs passed in.
//
// Environment:
//   SEATKEEPER_AGENT_HOME    state directory (like --state-dir)
//   SEATKEEPER_DETECT_ROOT   detection root for file-based detection (like --root)
//   SEATKEEPER_LOG_LEVEL     error | warn | info (default) | debug
//   SEATKEEPER_MACHINE_ID    TEST HOOK: machine id to enroll with instead of node-machine-id's
//                            (test agents share one machine)
//   SEATKEEPER_FAKE_NOW      TEST HOOK: epoch milliseconds the agent takes as "now" (clock-rollback
//                            and expiry tests of `check`). Test hooks are ignored by the shipped
//                            agent (TEST_HOOKS in clock.ts, false in dist/agent.cjs).
import { isSea } from './sea.js'; // first: adjusts the environment before ws loads
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fixedClock, systemClock, TEST_HOOKS, type Clock } from './clock.js';
import { EXIT_USAGE, UsageError, type Command, type CommandEnv, type CommandIo } from './commands/types.js';
import { describeStateAccess, StateAccessError } from './state/access-error.js';
import { defaultStateDir, statePaths } from './state/paths.js';
import { AGENT_VERSION } from './version.js';

/**
 * Every command, in the order `--help` lists them, each loaded only when it runs: `check` starts
 * with every CAD launch and must not pay for the daemon's logger, socket, schemas and scanners
 * (in the bundle, esbuild keeps a dynamically imported module's code unevaluated until then).
 */
const commandLoaders: readonly { name: string; load(): Promise<Command> }[] = [
  { name: 'enroll', load: async () => (await import('./commands/enroll.js')).enrollCommand },
  { name: 'run', load: async () => (await import('./commands/run.js')).runCommand },
  { name: 'login', load: async () => (await import('./commands/login.js')).loginCommand },
  { name: 'logout', load: async () => (await import('./commands/logout.js')).logoutCommand },
  { name: 'status', load: async () => (await import('./commands/status.js')).statusCommand },
  { name: 'check', load: async () => (await import('./commands/check.js')).checkCommand },
  { name: 'inventory', load: async () => (await import('./commands/inventory.js')).inventoryCommand },
  { name: 'install-service', load: async () => (await import('./commands/service.js')).installServiceCommand },
  { name: 'uninstall-service', load: async () => (await import('./commands/service.js')).uninstallServiceCommand },
];

/** Every command, loaded (for the full usage text, and tests). */
export const loadCommands = (): Promise<Command[]> => Promise.all(commandLoaders.map((c) => c.load()));

const mainUsage = (commands: readonly Command[]) =>
  [
    `seatkeeper-agent ${AGENT_VERSION} — Seatkeeper workstation agent`,
    '',
    'usage: seatkeeper-agent <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
    '',
    'seatkeeper-agent <command> --help   options of a command',
    'seatkeeper-agent --version          print the version',
    '',
    'environment:',
    '  SEATKEEPER_AGENT_HOME    state directory (like --state-dir)',
    '  SEATKEEPER_DETECT_ROOT   detection root for installed products (like --root)',
    '  SEATKEEPER_LOG_LEVEL     error, warn, info (default) or debug',
    '',
  ].join('\n');

const commandUsage = (c: Command) =>
  [`usage: seatkeeper-agent ${c.name} ${c.synopsis}`, '', c.summary, '', ...c.details.map((d) => `  ${d}`), '  --help            this help', ''].join('\n');

function clockFrom(env: NodeJS.ProcessEnv): Clock {
  const fake = env.SEATKEEPER_FAKE_NOW;
  if (!TEST_HOOKS || fake === undefined || fake === '') return systemClock;
  const ms = Number(fake);
  if (!Number.isSafeInteger(ms) || ms < 0) throw new UsageError('SEATKEEPER_FAKE_NOW must be epoch milliseconds');
  return fixedClock(ms);
}

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: CommandIo, shutdown: () => Promise<string>): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.out(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(mainUsage(await loadCommands()));
    return name === undefined ? EXIT_USAGE : 0;
  }
  const loader = commandLoaders.find((c) => c.name === name);
  if (!loader) {
    io.err(`seatkeeper-agent: unknown command ${JSON.stringify(name)}\n\n${mainUsage(await loadCommands())}`);
    return EXIT_USAGE;
  }
  const command = await loader.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandUsage(command));
    return 0;
  }
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length < command.positionals.min || positionals.length > command.positionals.max) {
      throw new UsageError(command.positionals.max === 0 ? `unexpected argument ${JSON.stringify(positionals[0])}` : 'wrong number of arguments');
    }
    const stateDirFlag = values['state-dir'];
    const stateDir = path.resolve(
      typeof stateDirFlag === 'string' && stateDirFlag ? stateDirFlag : env.SEATKEEPER_AGENT_HOME || defaultStateDir(process.platform, env.ProgramData),
    );
    const logLevel = LOG_LEVELS.find((l) => l === env.SEATKEEPER_LOG_LEVEL) ?? 'info';
    const script = process.argv[1];
    const commandEnv: CommandEnv = {
      platform: process.platform,
      clock: clockFrom(env),
      detectRoot: env.SEATKEEPER_DETECT_ROOT || undefined,
      machineIdOverride: TEST_HOOKS ? env.SEATKEEPER_MACHINE_ID || undefined : undefined,
      localUser: env.USER || env.USERNAME || env.LOGNAME || undefined,
      logLevel,
      selfCommand: isSea() || !script ? [process.execPath] : [process.execPath, path.resolve(script)],
      pathDirs: (env.PATH ?? '').split(path.delimiter).filter(Boolean),
      shutdown,
    };
    return await command.run({ values: values as Record<string, string | boolean | undefined>, positionals, paths: statePaths(stateDir), env: commandEnv, io });
  } catch (e) {
    const f = failureOf(command, e);
    io.err(f.text);
    return f.exitCode;
  }
}

/** What a command's thrown error prints and the exit code it gives: decided here, for every command. */
export function failureOf(command: Command, e: unknown): { exitCode: number; text: string } {
  const head = `seatkeeper-agent ${command.name}:`;
  if (e instanceof UsageError) return { exitCode: EXIT_USAGE, text: `${head} ${e.message}\n\n${commandUsage(command)}` };
  // A setup problem with a plain answer, not a crash: no stack.
  if (e instanceof StateAccessError) return { exitCode: EXIT_USAGE, text: `${head} ${describeStateAccess(e)}\n` };
  return { exitCode: EXIT_USAGE, text: `${head} ${(e as Error).stack ?? String(e)}\n` };
}

function start(): void {
  const io: CommandIo = {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
  // Installed only when a command asks (the daemon): elsewhere Ctrl-C keeps its default meaning.
  let shutdown: Promise<string> | null = null;
  const onShutdown = () =>
    (shutdown ??= new Promise<string>((resolve) => {
      for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
    }));
  main(process.argv.slice(2), process.env, io, onShutdown).then(
    (code) => {
      // Let stdout drain before leaving; exit explicitly so a lingering handle cannot keep us up.
      process.exitCode = code;
      process.stdout.write('', () => process.exit(code));
    },
    (e: unknown) => {
      process.stderr.write(`seatkeeper-agent: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(2);
    },
  );
}

// Run when executed (bundle, SEA, bin shim), not when a test imports `main`.
declare const __SEATKEEPER_VERSION__: string | undefined;
if (typeof __SEATKEEPER_VERSION__ === 'string') start();
