/**
 * The text formats of a contexts/files directory: file_contexts lines and .subs lines.
 *
 * file_contexts (S libselinux/src/label_support.c read_spec_entries, label_file.h process_line):
 * a line is split at C-locale whitespace (space \t \n \v \f \r); blank lines and lines whose first
 * non-blank character is `#` are skipped; otherwise it holds `REGEX [TYPE] CONTEXT`: with two fields
 * the second is the context, with three the middle one is the file type (`--` `-d` `-c` `-b` `-l`
 * `-s` `-p`). A field may only hold ASCII characters. The context may be `<<none>>`.
 * svirt is stricter than libselinux in two places, both refused with their location instead of
 * being read silently: a fourth field (libselinux ignores it) and a NUL byte (libselinux's
 * getline/strlen would cut the line there).
 *
 * .subs / .subs_dist (S libselinux/src/label_file.c selabel_subs_init): `SRC DST` a line, blank and
 * `#` lines skipped, a line with only one field ignored. libselinux reads these with a 1023-byte
 * buffer and ignores fields after the second; svirt refuses longer lines and extra fields.
 */
import { fileContextsError } from '../errors.js';

/** One specification line as written, with 1-based positions for messages. */
export interface SpecLine {
  readonly regex: string;
  /** the type field as written (`--`, `-d`, ...), or undefined when the line has two fields */
  readonly typeField: string | undefined;
  readonly context: string;
  readonly file: string;
  readonly line: number;
  readonly regexColumn: number;
  readonly typeColumn: number;
  readonly contextColumn: number;
}

/** One substitution: a path equal to `src` or under `src/` is looked up as `dst` + the rest. */
export interface Substitution {
  readonly src: string;
  readonly dst: string;
}

/** C isspace() in the C locale. */
function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

interface Field {
  readonly text: string;
  /** 0-based index in the line */
  readonly at: number;
}

/** Split a line into whitespace-separated fields; `maxFields + 1` at most are returned. */
function splitFields(line: string, maxFields: number): Field[] {
  const fields: Field[] = [];
  let i = 0;
  while (i < line.length && fields.length <= maxFields) {
    while (i < line.length && isCSpace(line.charCodeAt(i))) i++;
    if (i >= line.length) break;
    const start = i;
    while (i < line.length && !isCSpace(line.charCodeAt(i))) i++;
    fields.push({ text: line.slice(start, i), at: start });
  }
  return fields;
}

/** True for a blank line or a `#` comment (first non-blank character). */
function isSkipped(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (isCSpace(code)) continue;
    return code === 0x23; // '#'
  }
  return true;
}

/** Lines of a text file as getline(3) returns them (split at '\n' only; '\r' is whitespace). */
function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all;
}

/**
 * Parse a file_contexts text. Throws E_FILE_CONTEXTS naming `file:line:col` for the first malformed
 * line (too few or too many fields, non-ASCII or NUL characters).
 */
export function parseSpecFile(text: string, file: string): SpecLine[] {
  const out: SpecLine[] = [];
  const all = lines(text);
  for (let n = 0; n < all.length; n++) {
    const line = all[n]!;
    if (isSkipped(line)) continue;
    const lineNo = n + 1;
    const nul = line.indexOf('\0');
    if (nul >= 0) throw fileContextsError(file, lineNo, nul + 1, 'NUL character in a specification line');
    const fields = splitFields(line, 3);
    for (const f of fields) {
      for (let i = 0; i < f.text.length; i++) {
        if (f.text.charCodeAt(i) > 0x7f) {
          throw fileContextsError(file, lineNo, f.at + i + 1, 'non-ASCII character in a specification field');
        }
      }
    }
    if (fields.length < 2) throw fileContextsError(file, lineNo, line.length + 1, 'missing fields: expected REGEX [TYPE] CONTEXT');
    if (fields.length > 3) throw fileContextsError(file, lineNo, fields[3]!.at + 1, 'unexpected fourth field: expected REGEX [TYPE] CONTEXT');
    const regex = fields[0]!;
    const type = fields.length === 3 ? fields[1] : undefined;
    const context = fields[fields.length - 1]!;
    out.push({
      regex: regex.text,
      typeField: type?.text,
      context: context.text,
      file,
      line: lineNo,
      regexColumn: regex.at + 1,
      typeColumn: (type?.at ?? regex.at) + 1,
      contextColumn: context.at + 1,
    });
  }
  return out;
}

/** libselinux reads substitution lines into a 1023-byte buffer (fgets with sizeof(buf) - 1). */
const SUBS_LINE_MAX = 1022;

/** Parse a .subs or .subs_dist text, in file order. Throws E_FILE_CONTEXTS with the location. */
export function parseSubstitutions(text: string, file: string): Substitution[] {
  const out: Substitution[] = [];
  const all = lines(text);
  for (let n = 0; n < all.length; n++) {
    const line = all[n]!;
    if (isSkipped(line)) continue;
    const lineNo = n + 1;
    if (Buffer.byteLength(line, 'utf8') > SUBS_LINE_MAX) throw fileContextsError(file, lineNo, 1, `substitution line longer than ${SUBS_LINE_MAX} bytes`);
    const nul = line.indexOf('\0');
    if (nul >= 0) throw fileContextsError(file, lineNo, nul + 1, 'NUL character in a substitution line');
    const fields = splitFields(line, 2);
    if (fields.length < 2) continue;
    if (fields.length > 2) throw fileContextsError(file, lineNo, fields[2]!.at + 1, 'unexpected third field: expected SRC DST');
    out.push({ src: fields[0]!.text, dst: fields[1]!.text });
  }
  return out;
}
