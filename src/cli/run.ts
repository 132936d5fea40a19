/**
 * argv → exit code. The bin (main.ts) is a thin wrapper; tests call `run` in-process.
 * Every command module registers itself through the list below.
 */
import { Command, CommanderError } from 'commander';
import { type CliIO, type CommandContext, processIO } from './io.js';
import { commands } from './commands/index.js';

export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let code = 0;
  const ctx: CommandContext = { io, exit: (c) => void (code = Math.max(code, c)) };
  const program = new Command('svirt')
    .description('sVirt: SELinux/MCS isolation for virtual machines, enforced by a WebAssembly security server')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError(false);
  for (const register of commands) register(program, ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every other parse failure is bad usage
      return err.exitCode === 0 ? 0 : 2;
    }
    // an error that escapes a command is bad usage or bad input (policy, context, state file)
    io.stderr(`svirt: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  return code;
}
