// seatctl: the admin command line, a client of the Seatkeeper HTTP API authenticated by an API
// token. The only module that reads argv and sets the exit code.
//
// Environment: SEATKEEPER_SERVER, SEATKEEPER_TOKEN, SEATKEEPER_ORG (like --server, --token, --org);
// SEATCTL_CONFIG (the config file instead of the default in the user's config folder).
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerDevices } from './commands/devices.js';
import { registerExports } from './commands/exports.js';
import { registerImport } from './commands/import.js';
import { registerLogin } from './commands/login.js';
import { registerMembers } from './commands/members.js';
import { registerReports } from './commands/reports.js';
import { registerSeats } from './commands/seats.js';
import { registerSwitches } from './commands/switches.js';
import { registerWebhooks } from './commands/webhooks.js';
import { defaultRuntime, type Runtime } from './context.js';
import { CliError, EXIT_OK, EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_USAGE } from './errors.js';
import { json, processIo } from './output.js';

declare const __SEATKEEPER_VERSION__: string | undefined;
const VERSION = typeof __SEATKEEPER_VERSION__ === 'string' && __SEATKEEPER_VERSION__ ? __SEATKEEPER_VERSION__ : '0.0.0-dev';

const EXIT_HELP = `
Exit codes:
  ${EXIT_OK}  done
  ${EXIT_REFUSED}  the server refused (validation, permission, seat limit, not found …)
  ${EXIT_USAGE}  wrong command line (unknown command or option, missing argument)
  ${EXIT_UNREACHABLE}  cannot reach the server, or not logged in / token invalid or revoked

Environment: SEATKEEPER_SERVER, SEATKEEPER_TOKEN, SEATKEEPER_ORG, SEATCTL_CONFIG.`;

export function buildProgram(rt: Runtime): Command {
  const program = new Command('seatctl')
    .description('Seatkeeper admin CLI: members, seats, devices, enrollment tokens, switches, import, reports, exports and webhooks')
    .version(VERSION)
    .option('--server <url>', 'the Seatkeeper server (default: from `seatctl login` or SEATKEEPER_SERVER)')
    .option('--token <token>', 'an API token (default: from `seatctl login` or SEATKEEPER_TOKEN); with login, "-" reads it from stdin')
    .option('--org <orgId>', 'the organization (default: the one the token administers)')
    .option('--json', 'print JSON for scripts instead of tables')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => rt.io.out(s), writeErr: (s) => rt.io.err(s) })
    // Usage errors exit 2, not commander's 1 (1 is "the server refused"); set before the
    // subcommands are added so that they inherit it.
    .exitOverride();
  registerLogin(program, rt);
  registerMembers(program, rt);
  registerSeats(program, rt);
  registerDevices(program, rt);
  registerSwitches(program, rt);
  registerAudit(program, rt);
  registerImport(program, rt);
  registerReports(program, rt);
  registerExports(program, rt);
  registerWebhooks(program, rt);
  // A group named without a subcommand prints its help and is a usage error.
  for (const c of program.commands) if (c.commands.length) c.action(() => c.help({ error: true }));
  return program;
}

/** Runs seatctl with `argv` (without node and script); resolves to the exit code. */
export async function run(argv: string[], rt: Runtime = defaultRuntime(processIo)): Promise<number> {
  const program = buildProgram(rt);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; help shown for a wrong command line exits non-zero.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof CliError) {
      const opts = program.opts<{ json?: boolean }>();
      if (opts.json) rt.io.err(json({ error: { code: e.code ?? 'ERROR', message: e.message } }));
      else rt.io.err(`seatctl: ${e.message}\n`);
      return e.exitCode;
    }
    rt.io.err(`seatctl: ${(e as Error).message}\n`);
    return EXIT_REFUSED;
  }
}

if (typeof __SEATKEEPER_VERSION__ === 'string') {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`seatctl: ${e.message}\n`);
      process.exitCode = EXIT_REFUSED;
    },
  );
}
