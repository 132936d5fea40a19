/**
 * One file, one key: every path the label manager, its store and the simulated host use as a key
 * goes through `canonicalPath` first, so two spellings of one file can never be two files.
 *
 * Canonical form: absolute, components separated by exactly one `/`, no `.` component, `..`
 * applied to the component before it (`/..` is `/`, as the kernel's path walk does at the root),
 * no trailing `/` (except the root itself). Refused: a relative path (libvirt requires absolute
 * disk sources: domain_conf virDomainDiskSourceParse leaves the check to the storage backend,
 * which rejects relative files), an empty path, NUL, a component longer than NAME_MAX (255 bytes)
 * and a path longer than PATH_MAX (4096 bytes) (K include/uapi/linux/limits.h).
 *
 * Symbolic links: with `readlink`, every component of the walk that is a link is replaced by its
 * target (an absolute target restarts at `/`, a relative one continues in the link's directory),
 * at most MAX_SYMLINKS (40, K fs/namei.c MAXSYMLINKS) times, else ELOOP — the kernel's order, so
 * `a/link/..` is the link target's parent, not `a`. Without `readlink` the walk is lexical, which
 * is exact for a namespace without links (the simulated host creates none).
 */
import { SvirtError, quoteInput } from '../errors.js';

/** K include/uapi/linux/limits.h */
export const PATH_MAX = 4096;
/** K include/uapi/linux/limits.h */
export const NAME_MAX = 255;
/** K fs/namei.c */
export const MAX_SYMLINKS = 40;

/** Returns the target of `path` (a canonical path) when it is a symbolic link, else undefined. */
export type ReadLink = (path: string) => string | undefined;

/** A path that cannot be a key (E_USAGE: it is the caller's input that is wrong). */
export function pathError(path: string, what: string, detail: string): SvirtError {
  return new SvirtError('E_USAGE', `${what} ${quoteInput(path)}: ${detail}`);
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The canonical form of `path` (see the module doc). `what` names the input in errors
 * (e.g. `disk 2 source`). Throws E_USAGE for a path that cannot name a file.
 */
export function canonicalPath(path: unknown, what = 'path', readlink?: ReadLink): string {
  if (typeof path !== 'string') throw pathError(String(path), what, 'not a string');
  if (path.length === 0) throw pathError(path, what, 'empty path');
  if (path.includes('\0')) throw pathError(path, what, 'NUL in path');
  if (!path.startsWith('/')) throw pathError(path, what, 'must be an absolute path (relative paths are refused, as libvirt refuses them)');
  if (byteLength(path) > PATH_MAX) throw pathError(path, what, `longer than PATH_MAX (${PATH_MAX} bytes)`);
  // fast path: already canonical and no links to resolve (the common case for stored keys)
  if (readlink === undefined && isLexicallyCanonical(path)) return path;
  const out: string[] = [];
  const pending = path.split('/').reverse();
  let links = 0;
  while (pending.length > 0) {
    const part = pending.pop()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    if (byteLength(part) > NAME_MAX) throw pathError(path, what, `a component is longer than NAME_MAX (${NAME_MAX} bytes)`);
    out.push(part);
    const target = readlink?.(`/${out.join('/')}`);
    if (target === undefined) continue;
    if (++links > MAX_SYMLINKS) throw pathError(path, what, `too many levels of symbolic links (more than ${MAX_SYMLINKS})`);
    if (target.length === 0 || target.includes('\0')) throw pathError(path, what, 'a symbolic link on the way has an empty or NUL target');
    out.pop();
    if (target.startsWith('/')) out.length = 0;
    for (const p of target.split('/').reverse()) pending.push(p);
  }
  const result = `/${out.join('/')}`;
  if (byteLength(result) > PATH_MAX) throw pathError(path, what, `resolves to a path longer than PATH_MAX (${PATH_MAX} bytes)`);
  return result;
}

/** true when `path` (absolute) has no empty, `.` or `..` component and no trailing `/` */
export function isLexicallyCanonical(path: string): boolean {
  if (path === '/') return true;
  if (!path.startsWith('/') || path.endsWith('/')) return false;
  let start = 1;
  for (;;) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    const len = end - start;
    if (len === 0) return false;
    if (path.charCodeAt(start) === 46 /* . */ && (len === 1 || (len === 2 && path.charCodeAt(start + 1) === 46))) return false;
    if (len > NAME_MAX && byteLength(path.slice(start, end)) > NAME_MAX) return false;
    if (slash < 0) return true;
    start = slash + 1;
  }
}

/** A file key of the HostStore: the canonical path (lexical; the store knows no links). */
export function fileKey(path: string): string {
  return canonicalPath(path, 'file path');
}
