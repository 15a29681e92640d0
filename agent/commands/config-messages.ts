// The "cannot read config" and "not enrolled" messages, worded once for `check` and the commands
// that load enrollment; imports nothing heavy, as `check` must stay lean (test/agent/lean-check.test.ts).
import { EXIT_USAGE, type CommandContext } from './types.js';

/** Prints why config.json cannot be read; returns the exit code. */
export function cannotReadConfig(ctx: CommandContext, e: unknown): number {
  ctx.io.err(`seatkeeper-agent: cannot read ${ctx.paths.config}: ${(e as Error).message}\n`);
  return EXIT_USAGE;
}

/** Prints that there is no config.json and how to enroll; returns the exit code. */
export function notEnrolled(ctx: CommandContext): number {
  ctx.io.err(`seatkeeper-agent: not enrolled (no ${ctx.paths.config}); run \`seatkeeper-agent enroll --server URL --token T\`\n`);
  return EXIT_USAGE;
}
