/**
 * `svirt matchpathcon [-m MODE] [--file-contexts DIR] [--policy FILE] [--no-validate] PATH...`
 * `svirt matchpathcon --batch [FILE|-] ...`
 *
 * The default context of each path, as libselinux's `matchpathcon` prints it: `PATH<TAB>CONTEXT`,
 * with `<<none>>` both for a `<<none>>` specification and for no match (libselinux reports both as
 * ENOENT), one trailing `/` removed from the printed path, and, without `-m`, the file type taken
 * from lstat() of the path when it exists (else every specification applies). Batch format:
 * src/labeling/batch.ts. DIR holds file_contexts and its companions (default: the embedded
 * policy's). Contexts are validated against `--policy` (default: the embedded policy) unless
 * `--no-validate`. Exit 0 when every path was answered; 2 for bad usage or input (unreadable or
 * malformed file_contexts, invalid context, unknown mode, empty path), nothing printed then.
 */
import { lstatSync } from 'node:fs';
import { quoteInput, usageError } from '../../errors.js';
import { readTextInput } from '../../io/input.js';
import { answerPathQueries, parsePathQueries } from '../../labeling/batch.js';
import { NONE_CONTEXT } from '../../labeling/file-contexts.js';
import { fileTypeOfStatMode, parseFileTypeArgument, type FileTypeName } from '../../labeling/file-type.js';
import { embeddedFileContextsDir, loadFileContexts } from '../../labeling/load.js';
import type { RegisterCommand } from '../io.js';
import { loadPolicyOption } from '../policy-option.js';

interface MatchpathconOptions {
  mode?: string;
  fileContexts?: string;
  policy?: string;
  validate: boolean;
  batch?: string | true;
}

/** matchpathcon without -m: the type of what is at `path` now (lstat), or any. */
function typeOnDisk(path: string): FileTypeName {
  try {
    return fileTypeOfStatMode(lstatSync(path).mode);
  } catch {
    return 'any';
  }
}

export const registerMatchpathcon: RegisterCommand = (program, ctx) => {
  program
    .command('matchpathcon')
    .description('the default SELinux context of each path from file_contexts (like libselinux matchpathcon)')
    .argument('[paths...]', 'paths to look up')
    .option('-m, --mode <mode>', 'file type: file, dir, chr, blk, lnk, sock, fifo, any (or matchpathcon letters f d c b l s p)')
    .option('--file-contexts <dir>', 'directory holding file_contexts and its companions (default: the embedded policy\'s)')
    .option('--policy <file>', 'validate contexts against this policy.conf or policy.NN (default: the embedded policy)')
    .option('--no-validate', 'do not validate contexts (as matchpathcon, which never does)')
    .option('--batch [file]', 'answer "PATH MODE" lines from FILE or - (standard input)')
    .action(async (paths: string[], opts: MatchpathconOptions) => {
      let forced: FileTypeName | undefined;
      if (opts.mode !== undefined) {
        forced = parseFileTypeArgument(opts.mode);
        if (forced === undefined) throw usageError(`matchpathcon: unknown mode ${quoteInput(opts.mode)} (expected file, dir, chr, blk, lnk, sock, fifo, any)`);
      }
      if (opts.batch !== undefined && paths.length > 0) throw usageError('matchpathcon: --batch takes no PATH arguments');
      if (opts.batch === undefined && paths.length === 0) throw usageError('usage: svirt matchpathcon [-m MODE] [--file-contexts DIR] PATH... (or --batch [FILE|-])');
      if (opts.batch !== undefined && forced !== undefined) throw usageError('matchpathcon: -m does not apply to --batch (each line names its mode)');
      for (const p of paths) if (p.length === 0) throw usageError('matchpathcon: empty path (selabel_lookup: EINVAL)');

      const policy = opts.validate ? loadPolicyOption(opts.policy) : undefined;
      const fc = loadFileContexts(opts.fileContexts ?? embeddedFileContextsDir(), policy ? { policy } : {});

      if (opts.batch !== undefined) {
        const file = opts.batch === true ? '-' : opts.batch;
        const text = file === '-' ? await ctx.io.readStdin() : readTextInput(file, 'queries', 'path queries');
        const lines = answerPathQueries(fc, parsePathQueries(text, file === '-' ? '<stdin>' : file));
        if (lines.length > 0) ctx.io.stdout(`${lines.join('\n')}\n`);
        ctx.exit(0);
        return;
      }
      const out: string[] = [];
      for (const arg of paths) {
        // matchpathcon prints (and looks up) the path without one trailing '/'
        const path = arg.length > 1 && arg.endsWith('/') ? arg.slice(0, -1) : arg;
        const context = fc.lookup(path, forced ?? typeOnDisk(path)) ?? NONE_CONTEXT;
        out.push(`${path}\t${context}`);
      }
      ctx.io.stdout(`${out.join('\n')}\n`);
      ctx.exit(0);
    });
};
