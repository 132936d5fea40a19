#!/usr/bin/env node
import { EXIT_OUTPUT_CLOSED, processIO } from './io.js';
import { oneLine } from './messages.js';
import { run } from './run.js';

// Last resort: nothing escapes as a stack trace. run() already turns every thrown error into one
// line and exit 2; this catches what is thrown outside it (a stray event-emitter error, a worker).
const crash = (err: unknown): void => {
  process.stderr.write(`svirt: internal error: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
  process.exit(2);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const io = processIO();
const code = await run(process.argv.slice(2), io);
// a reader that went away wins: the answer was not delivered, whatever it was (io.ts)
process.exitCode = io.outputClosed ? EXIT_OUTPUT_CLOSED : Math.max(code, Number(process.exitCode ?? 0));
