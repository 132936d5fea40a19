/**
 * Loading a contexts/files directory as libselinux's selabel_open(SELABEL_CTX_FILE) does by default
 * (S libselinux/src/label_file.c init, process_file): `file_contexts`, then
 * `file_contexts.homedirs`, then `file_contexts.local` (each optional except the first), with the
 * substitutions of `file_contexts.subs` and `file_contexts.subs_dist`. All or nothing: the first
 * bad line throws E_FILE_CONTEXTS naming file:line:col and no FileContexts is returned.
 *
 * Validation (when a policy is given, as `setfiles -c POLICY` and SELABEL_OPT_VALIDATE do): every
 * context other than `<<none>>` must be a valid context of that policy (known user, role, type and
 * range, role authorised for the type and user for the role unless object_r: an unknown type is an
 * error), and file_contexts itself must not specify the same regex twice for overlapping types
 * (label_file.c nodups_specs). Every regex is translated and compiled at load, validated or not
 * (libselinux compiles lazily; svirt refuses an untranslatable regex before the first lookup).
 *
 * svirt reads the text files only: a `file_contexts.bin` beside them (which libselinux prefers when
 * it is not older) is ignored, and a directory holding only the .bin is refused.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseContext } from '../context/context.js';
import { ContextError, fileContextsError, ioError, quoteInput } from '../errors.js';
import { readTextInput } from '../io/input.js';
import { packageRoot } from '../policy/load.js';
import { buildSymbolIndex, type PolicyModel } from '../policy/model.js';
import { modeOfTypeField, typeFieldOfMode } from './file-type.js';
import { FileContexts, NONE_CONTEXT, type CompiledSpec } from './file-contexts.js';
import { translateFileContextRegex } from './pcre-translate.js';
import { parseSpecFile, parseSubstitutions, type SpecLine, type Substitution } from './spec-file.js';

export interface FileContextsOptions {
  /** validate every context against this policy (default: no validation) */
  readonly policy?: PolicyModel;
  /** read file_contexts only, not .homedirs and .local (SELABEL_OPT_BASEONLY) */
  readonly baseOnly?: boolean;
}

/** The texts of one contexts/files set, for in-memory use; names appear in error messages. */
export interface FileContextsTexts {
  readonly fileContexts: string;
  readonly homedirs?: string;
  readonly local?: string;
  readonly subs?: string;
  readonly subsDist?: string;
  /** the name of file_contexts in messages; companions get its suffixes (default "file_contexts") */
  readonly name?: string;
}

/** Compile specification lines: type field, regex and (optionally) context checked, in order. */
function compileLines(lines: readonly SpecLine[], policy: PolicyModel | undefined, checkDuplicates: boolean): CompiledSpec[] {
  const index = policy ? buildSymbolIndex(policy) : undefined;
  const seen = new Map<string, SpecLine[]>();
  const out: CompiledSpec[] = [];
  for (const l of lines) {
    let mode = 0;
    if (l.typeField !== undefined) {
      const m = modeOfTypeField(l.typeField);
      if (m === undefined) throw fileContextsError(l.file, l.line, l.typeColumn, `invalid file type ${quoteInput(l.typeField)} (expected -- -d -c -b -l -s -p)`);
      mode = m;
    }
    const t = translateFileContextRegex(l.regex);
    if (!t.ok) throw fileContextsError(l.file, l.line, l.regexColumn + t.offset, `regex: ${t.message}`);
    if (policy && index && l.context !== NONE_CONTEXT) {
      try {
        parseContext(policy, index, l.context);
      } catch (err) {
        if (err instanceof ContextError) throw fileContextsError(l.file, l.line, l.contextColumn + err.offset, err.message);
        throw err;
      }
    }
    if (checkDuplicates) {
      const earlier = seen.get(l.regex);
      const clash = earlier?.find((e) => {
        const em = e.typeField === undefined ? 0 : (modeOfTypeField(e.typeField) ?? 0);
        return em === 0 || mode === 0 || em === mode;
      });
      if (clash) {
        const what = clash.context === l.context ? 'same' : 'different';
        throw fileContextsError(l.file, l.line, l.regexColumn, `multiple ${what} specifications for ${quoteInput(l.regex)}${typeFieldOfMode(mode) ? ` ${typeFieldOfMode(mode)}` : ''} (first at line ${clash.line})`);
      }
      if (earlier) earlier.push(l);
      else seen.set(l.regex, [l]);
    }
    out.push({ regexText: l.regex, translated: t.value, mode, context: l.context, file: l.file, line: l.line });
  }
  return out;
}

/** Substitution text as the bytes libselinux compares (latin1, one character per byte). */
function asBytes(subs: readonly Substitution[]): Substitution[] {
  return subs.map((s) => ({ src: Buffer.from(s.src, 'utf8').toString('latin1'), dst: Buffer.from(s.dst, 'utf8').toString('latin1') }));
}

/** Build FileContexts from texts already in memory (same rules as `loadFileContexts`). */
export function fileContextsFromText(texts: FileContextsTexts, options: FileContextsOptions = {}): FileContexts {
  const name = texts.name ?? 'file_contexts';
  const specs = compileLines(parseSpecFile(texts.fileContexts, name), options.policy, options.policy !== undefined);
  if (!options.baseOnly) {
    if (texts.homedirs !== undefined) specs.push(...compileLines(parseSpecFile(texts.homedirs, `${name}.homedirs`), options.policy, false));
    if (texts.local !== undefined) specs.push(...compileLines(parseSpecFile(texts.local, `${name}.local`), options.policy, false));
  }
  const subs = texts.subs === undefined ? [] : asBytes(parseSubstitutions(texts.subs, `${name}.subs`));
  const subsDist = texts.subsDist === undefined ? [] : asBytes(parseSubstitutions(texts.subsDist, `${name}.subs_dist`));
  return new FileContexts(specs, subs, subsDist);
}

function readOptional(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  return readTextInput(path, 'fileContexts', 'file contexts');
}

/**
 * Load `DIR/file_contexts` and its companions, or, when `path` names a file, that file and its
 * companions beside it (`PATH.homedirs`, ... as `matchpathcon -f PATH` does).
 */
export function loadFileContexts(path: string, options: FileContextsOptions = {}): FileContexts {
  let base: string;
  try {
    base = statSync(path).isDirectory() ? join(path, 'file_contexts') : path;
  } catch (err) {
    throw ioError(path, err);
  }
  if (!existsSync(base) && existsSync(`${base}.bin`)) {
    throw ioError(base, new Error('only the compiled file_contexts.bin is present; svirt reads the text file_contexts'));
  }
  const fileContexts = readTextInput(base, 'fileContexts', 'file contexts');
  const texts: FileContextsTexts = {
    fileContexts,
    name: base,
    homedirs: options.baseOnly ? undefined : readOptional(`${base}.homedirs`),
    local: options.baseOnly ? undefined : readOptional(`${base}.local`),
    subs: readOptional(`${base}.subs`),
    subsDist: readOptional(`${base}.subs_dist`),
  };
  return fileContextsFromText(texts, options);
}

/** The embedded sVirt policy's contexts directory (policies/contexts/files). */
export function embeddedFileContextsDir(): string {
  return join(packageRoot(), 'policies', 'contexts', 'files');
}

export { FileContexts, NONE_CONTEXT };
