/**
 * The CLI's view of the outside world, so commands can be run in-process by tests.
 * Commands write through `io` and report their exit status through `ctx.exit(code)`:
 * 0 success / allowed / PASS, 1 denied / FAIL, 2 bad usage or input, 141 output closed (see README).
 */
import type { Command } from 'commander';
import { INPUT_LIMITS, readStreamBounded } from '../io/input.js';

/**
 * Exit status when standard output was closed by its reader before everything was written
 * (`svirt … | head -1`). 141 = 128 + SIGPIPE is the status a shell reports for a coreutils program
 * killed by SIGPIPE, so `set -o pipefail` scripts see svirt exactly as they see `cat` or `ls`; it is
 * never 0 (the answer was not delivered, so it must not read as "allowed") and never 1 or 2 (which
 * mean "denied"/"FAIL" and "bad input").
 */
export const EXIT_OUTPUT_CLOSED = 141;

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** whole standard input, bounded by INPUT_LIMITS.queries (only read when a command asks for it) */
  readStdin(): Promise<string>;
  readonly stderrIsTTY: boolean;
  /** true once the reader of standard output went away (EPIPE); later writes are dropped */
  readonly outputClosed?: boolean;
}

export interface CommandContext {
  readonly io: CliIO;
  /** Record the exit code; the highest code reported wins (2 > 1 > 0). */
  exit(code: number): void;
}

/** Each module in src/cli/commands/ exports one of these and is listed in run.ts. */
export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/** EPIPE (reader gone), or the stream already destroyed by an earlier EPIPE */
function isClosedPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

/**
 * The real process streams. A closed standard output is the one place where svirt stops quietly:
 * write errors arrive asynchronously as 'error' events on process.stdout (unhandled, they would
 * crash with a stack trace), so one listener here turns them into `outputClosed` and exit 141, and
 * every later write is dropped. Any other write error on stdout (EIO, ENOSPC) is reported in one
 * line and ends in exit 2. Errors on stderr are swallowed: there is nowhere left to report them.
 */
export function processIO(): CliIO {
  let closed = false;
  let stderrClosed = false;
  const stdoutFailed = (err: unknown): void => {
    if (closed) return;
    closed = true;
    if (isClosedPipe(err)) {
      process.exitCode = EXIT_OUTPUT_CLOSED;
      return;
    }
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (!stderrClosed) process.stderr.write(`svirt: standard output: ${reason}\n`);
    process.exitCode = 2;
  };
  process.stdout.on('error', stdoutFailed);
  process.stderr.on('error', () => void (stderrClosed = true));
  return {
    stdout: (text) => {
      if (closed || process.stdout.destroyed) return void (closed = true);
      process.stdout.write(text);
    },
    stderr: (text) => {
      if (stderrClosed || process.stderr.destroyed) return;
      process.stderr.write(text);
    },
    readStdin: () => readStreamBounded(process.stdin, 'standard input', INPUT_LIMITS.queries),
    stderrIsTTY: process.stderr.isTTY === true,
    get outputClosed() {
      return closed && process.exitCode === EXIT_OUTPUT_CLOSED;
    },
  };
}
