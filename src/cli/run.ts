/**
 * argv → exit code. The bin (main.ts) is a thin wrapper; tests call `run` in-process.
 * Every command module registers itself through the list below.
 *
 * Every failure ends here as exactly one stderr line `svirt: …` (messages.ts) and exit 2: an
 * SvirtError from a command, a commander usage error, or anything else a command throws.
 */
import { Command, CommanderError } from 'commander';
import { type CliIO, type CommandContext, processIO } from './io.js';
import { QUOTE_LIMIT, quoteInput } from '../errors.js';
import { errorLine, oneLine } from './messages.js';
import { commands } from './commands/index.js';

/**
 * commander's usage message as one line: its 'quoted' input cut to QUOTE_LIMIT characters like
 * every other echo of input, its "(Did you mean …?)" hint on the same line.
 */
function commanderLine(message: string): string {
  const text = message
    .replace(/^error: /, '')
    .replace(/'([^']*)'/g, (whole, inner: string) => (inner.length > QUOTE_LIMIT ? quoteInput(inner) : whole))
    .replace('\n(Did you mean', ' (Did you mean');
  return oneLine(text);
}

export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let code = 0;
  const ctx: CommandContext = { io, exit: (c) => void (code = Math.max(code, c)) };
  const program = new Command('svirt')
    .description('sVirt: SELinux/MCS isolation for virtual machines, enforced by a WebAssembly security server')
    .exitOverride()
    // usage errors are printed by the catch below, as one line; help goes to stdout unchanged
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: () => undefined })
    .showHelpAfterError(false);
  for (const register of commands) register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; help shown for a missing command is already on stderr
      if (err.exitCode === 0) return 0;
      if (err.code !== 'commander.help') io.stderr(`svirt: ${commanderLine(err.message)}\n`);
      return 2;
    }
    // an error that escapes a command is bad usage or bad input (policy, context, state file)
    io.stderr(`svirt: ${errorLine(err)}\n`);
    return 2;
  }
  return code;
}
