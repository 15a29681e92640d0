// Small helpers the command modules share: an action that gets its Ctx, and option parsers.
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { makeCtx, type Ctx, type Runtime } from '../context.js';

/** Wraps a command's action: builds the Ctx from the global options first. */
export function act<A extends unknown[]>(rt: Runtime, fn: (ctx: Ctx, ...args: A) => Promise<void>) {
  return async (...all: unknown[]) => {
    const cmd = all[all.length - 1] as Command;
    const ctx = await makeCtx(rt, cmd);
    await fn(ctx, ...(all.slice(0, -1) as A));
  };
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive whole number');
  return n;
}

export function wholeDays(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('not a whole number of days');
  return n;
}

/** A report's text to stdout, or with --out to a 0600 file. */
export async function emit(ctx: Ctx, text: string, out?: string): Promise<void> {
  if (!out) return ctx.io.out(text);
  await writeFile(out, text, { mode: 0o600 });
  ctx.io.err(`Wrote ${out}.\n`);
}

export function timeArg(v: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('not a time (ISO 8601 or epoch milliseconds)');
  return n;
}

export function oneOf(values: readonly string[]) {
  return (v: string) => {
    if (!values.includes(v)) throw new InvalidArgumentError(`one of ${values.join(', ')}`);
    return v;
  };
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];
