// Run the svirt CLI in-process (src/cli/run.ts) and capture what it prints and its exit code.
import { run } from '../../src/cli/run.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `svirt ...argv`; `stdin` is what the command reads from standard input */
export async function svirtWithStdin(stdin: string, ...argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => stdin, stderrIsTTY: false };
  const code = await run(argv, io);
  return { code, out, err };
}

export function svirt(...argv: string[]): Promise<CliResult> {
  return svirtWithStdin('', ...argv);
}
