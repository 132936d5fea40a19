/**
 * `svirt compute-av [--policy FILE] [--bool NAME=VALUE]... [FILE|-]`
 * One query a line in, one tab-separated decision a line out (format: src/security/query.ts).
 * Exit 0 when every line was answered (ERR lines included), 2 when the policy or input can't be read
 * or is over a limit (whole input: INPUT_LIMITS.queries; one line: LINE_LIMITS.queries — an
 * over-long line refuses the whole input before any answer, since no query can be that long).
 */
import { LINE_LIMITS, checkLineLengths, readTextInput } from '../../io/input.js';
import { quoteInput } from '../../errors.js';
import { answerQueries } from '../../security/query.js';
import { createSecurityServer } from '../../security/server.js';
import type { RegisterCommand } from '../io.js';
import { addPolicyOptions, loadPolicyOption, parseBoolAssignments, type PolicyOptions } from '../policy-option.js';

export const registerComputeAv: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command('compute-av')
    .description('answer access queries "SCONTEXT TCONTEXT TCLASS [PERM ...]" one per line (like libsepol compute_av)')
    .argument('[file]', 'query file, or - for standard input', '-');
  addPolicyOptions(cmd).action(async (file: string, opts: PolicyOptions) => {
    const booleans = parseBoolAssignments(opts.bool);
    const server = createSecurityServer(loadPolicyOption(opts.policy), { booleans });
    const text = file === '-' ? await ctx.io.readStdin() : readTextInput(file, 'queries', 'query input');
    checkLineLengths(text, file === '-' ? 'standard input' : quoteInput(file), LINE_LIMITS.queries);
    const { lines } = answerQueries(server, text);
    if (lines.length > 0) ctx.io.stdout(`${lines.join('\n')}\n`);
    ctx.exit(0);
  });
};
