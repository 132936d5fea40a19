/**
 * The CLI's view of the outside world, so commands can be run in-process by tests.
 * Commands write through `io` and report their exit status through `ctx.exit(code)`:
 * 0 success / allowed / PASS, 1 denied / FAIL, 2 bad usage or input (see README).
 */
import type { Command } from 'commander';
import { INPUT_LIMITS, readStreamBounded } from '../io/input.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** whole standard input, bounded by INPUT_LIMITS.queries (only read when a command asks for it) */
  readStdin(): Promise<string>;
  readonly stderrIsTTY: boolean;
}

export interface CommandContext {
  readonly io: CliIO;
  /** Record the exit code; the highest code reported wins (2 > 1 > 0). */
  exit(code: number): void;
}

/** Each module in src/cli/commands/ exports one of these and is listed in run.ts. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: () => readStreamBounded(process.stdin, 'standard input', INPUT_LIMITS.queries),
    stderrIsTTY: process.stderr.isTTY === true,
  };
}
