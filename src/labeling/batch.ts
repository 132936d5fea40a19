/**
 * `svirt matchpathcon --batch` input and output: one query `PATH MODE` a line (MODE the last
 * whitespace-separated word: file, dir, chr, blk, lnk, sock, fifo, any; PATH everything before
 * the blank run that precedes it, so it may hold spaces), blank and `#` lines skipped. One answer a
 * line: `PATH<TAB>MODE<TAB>RESULT`, RESULT being the context, `<<none>>`, or `ERR:ENOENT` when no
 * specification matches. The whole input is parsed before the first answer: a malformed line is
 * an E_FILE_CONTEXTS error naming file:line:col and nothing is answered.
 */
import { fileContextsError, quoteInput } from '../errors.js';
import type { FileContexts } from './file-contexts.js';
import { isFileTypeName, type FileTypeName } from './file-type.js';

export interface PathQuery {
  readonly path: string;
  readonly type: FileTypeName;
}

const BLANK = /[ \t\v\f\r]/;

export function parsePathQueries(text: string, file: string): PathQuery[] {
  const out: PathQuery[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    // MODE: the last word; PATH: what precedes the blanks before it
    let end = line.length;
    while (end > 0 && BLANK.test(line[end - 1]!)) end--;
    let start = end;
    while (start > 0 && !BLANK.test(line[start - 1]!)) start--;
    let pathEnd = start;
    while (pathEnd > 0 && BLANK.test(line[pathEnd - 1]!)) pathEnd--;
    const mode = line.slice(start, end);
    const path = line.slice(0, pathEnd);
    if (path.length === 0) throw fileContextsError(file, n + 1, start + 1, 'expected PATH MODE');
    if (!isFileTypeName(mode)) throw fileContextsError(file, n + 1, start + 1, `unknown mode ${quoteInput(mode)} (expected file, dir, chr, blk, lnk, sock, fifo or any)`);
    const nul = path.indexOf('\0');
    if (nul >= 0) throw fileContextsError(file, n + 1, nul + 1, 'NUL character in a path');
    out.push({ path, type: mode });
  }
  return out;
}

/** The answer field for one query: context, `<<none>>`, or `ERR:ENOENT`. */
export function answerPathQuery(fc: FileContexts, q: PathQuery): string {
  return fc.lookup(q.path, q.type) ?? 'ERR:ENOENT';
}

export function answerPathQueries(fc: FileContexts, queries: readonly PathQuery[]): string[] {
  return queries.map((q) => `${q.path}\t${q.type}\t${answerPathQuery(fc, q)}`);
}
