import type { Command } from 'commander';
import { CliContext, type GlobalOptions } from '../context.js';
import { reportError } from '../output.js';

export type Wrap = <A extends unknown[]>(
  fn: (ctx: CliContext, ...args: A) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;

/**
 * Gives an action its context and always closes it; errors become `error[CODE]` and the
 * documented exit status.
 */
export const wrap: Wrap =
  (fn) =>
  async (...args) => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    let ctx: CliContext | undefined;
    try {
      ctx = new CliContext(globals);
      await fn(ctx, ...(args.slice(0, -1) as never));
    } catch (err) {
      process.exitCode = reportError(err, globals.json ?? false);
    } finally {
      await ctx?.close();
    }
  };
