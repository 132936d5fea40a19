/**
 * Reading what a user hands svirt, with bounded time and memory: a path where a file is expected
 * must name a regular file (a FIFO, a device such as /dev/zero, a socket or a directory is refused
 * before a byte is read), and no input is held past its documented size limit.
 *
 * Invariant: every read below stops after at most `limit + 1` bytes, so a hostile input costs at
 * most its limit in memory and never blocks waiting for a writer (files are opened O_NONBLOCK and
 * checked with fstat on the opened descriptor, so a path swapped between check and read cannot
 * slip a FIFO in).
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { ioError, limitError, quoteInput } from '../errors.js';

const MiB = 1024 * 1024;

/**
 * Documented size limits (bytes). Each is far above any real input of its kind: Debian's
 * reference policy.conf is about 11 MB and its binary policy about 2 MB; Fedora's binary about 4 MB.
 */
export const INPUT_LIMITS = {
  /** a policy, text or binary */
  policy: 256 * MiB,
  /** a setrans.conf and each file it includes */
  setrans: 4 * MiB,
  /** a file_contexts file or one of its companions (.homedirs, .local, .subs, .subs_dist) */
  fileContexts: 64 * MiB,
  /** a libvirt domain XML */
  domainXml: 16 * MiB,
  /** query input for compute-av and the other line-oriented commands */
  queries: 256 * MiB,
  /** a listing or other line-oriented input file */
  listing: 1024 * MiB,
} as const;

export type InputKind = keyof typeof INPUT_LIMITS;

/**
 * Longest line (characters, newline excluded) of a line-oriented input. A compute-av query is two
 * contexts, a class and permission names; the kernel refuses a context longer than a page (4 KiB,
 * K security/selinux/selinuxfs.c), so 64 KiB is far above any real query line.
 */
export const LINE_LIMITS = {
  queries: 64 * 1024,
} as const;

/**
 * Refuse `text` with E_LIMIT if any line is longer than `limit` characters, naming the first such
 * line (1-based) and its length. One pass, no copies.
 */
export function checkLineLengths(text: string, what: string, limit: number): void {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > limit) {
      throw limitError(what, `${describeLimit(limit)} a line`, `line ${line} is ${end - start} characters long`);
    }
    start = end + 1;
  }
}

function describeLimit(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * The bytes of the regular file at `path`, at most `limit` of them.
 * Throws E_IO (cannot open, not a regular file) or E_LIMIT (larger than the limit).
 */
export function readRegularFile(path: string, what: string, limit: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw ioError(path, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw ioError(path, new Error(`${what} must be a regular file, this is ${fileKind(st)}`));
    if (st.size > limit) {
      throw limitError(`${quoteInput(path)}`, describeLimit(limit), `${what} is ${st.size} bytes`);
    }
    // st.size may lie (procfs reports 0, a file may grow): read until EOF, never past limit + 1
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size - total, 64 * 1024), limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        throw ioError(path, err);
      }
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > limit) throw limitError(`${quoteInput(path)}`, describeLimit(limit), `${what} is larger than the limit`);
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** The regular file at `path` as UTF-8 text, bounded by the limit of its kind. */
export function readTextInput(path: string, kind: InputKind, what: string = kind): string {
  return readRegularFile(path, what, INPUT_LIMITS[kind]).toString('utf8');
}

/** The bytes of the regular file at `path`, bounded by the limit of its kind. */
export function readBinaryInput(path: string, kind: InputKind, what: string = kind): Buffer {
  return readRegularFile(path, what, INPUT_LIMITS[kind]);
}

/**
 * A whole stream (standard input) as text, refused with E_LIMIT as soon as it passes `limit`
 * bytes: the stream is not drained further, so `/dev/zero` on stdin ends at once.
 */
export async function readStreamBounded(stream: AsyncIterable<Buffer | string>, what: string, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    total += buf.length;
    if (total > limit) throw limitError(what, describeLimit(limit), `${what} is larger than the limit`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
