/**
 * Objects of the simulated host's filesystem: what the kernel would call inodes, each with the
 * SELinux class its file type maps to (K `security/selinux/hooks.c:inode_mode_to_security_class`),
 * a device name and inode number (printed in audit records as `dev="…" ino=…`) and its label.
 *
 * Invariant: paths are absolute and normalised (no `.`/`..`, no trailing `/`, `//` collapsed);
 * every object's parent directory exists in the same filesystem.
 */
import { posix } from 'node:path';
import { usageError } from '../errors.js';
import { canonicalPath, type ReadLink } from '../label/paths.js';

/** SELinux object classes for inode types (S_IFREG → file, S_IFDIR → dir, …). */
export type ObjectClass = 'file' | 'dir' | 'blk_file' | 'chr_file' | 'sock_file' | 'fifo_file' | 'lnk_file';

export const OBJECT_CLASSES: readonly ObjectClass[] = ['file', 'dir', 'blk_file', 'chr_file', 'sock_file', 'fifo_file', 'lnk_file'];

/** `ls -l` type letter per class (coreutils filemodestring). */
export const TYPE_LETTER: Readonly<Record<ObjectClass, string>> = {
  file: '-',
  dir: 'd',
  blk_file: 'b',
  chr_file: 'c',
  sock_file: 's',
  fifo_file: 'p',
  lnk_file: 'l',
};

export interface HostObject {
  readonly path: string;
  readonly tclass: ObjectClass;
  /** block device name of the filesystem holding it (`dm-0`, `devtmpfs`) */
  readonly dev: string;
  readonly ino: number;
  /** current SELinux context (raw, canonical) */
  label: string;
  /** lnk_file only: the target path */
  readonly target?: string;
}

/**
 * Normalise an absolute path lexically (label/paths.ts `canonicalPath`: `.`, `..`, repeated and
 * trailing `/`); relative paths are refused (no working directory on this host).
 */
export function normalizePath(path: string): string {
  return canonicalPath(path, 'path');
}

export function parentPath(path: string): string | undefined {
  if (path === '/') return undefined;
  const dir = posix.dirname(path);
  return dir;
}

/** Which device a path lives on: /dev → devtmpfs, /run → tmpfs, everything else the root LV `dm-0`. */
export function deviceOf(path: string): string {
  if (path === '/dev' || path.startsWith('/dev/')) return 'devtmpfs';
  if (path === '/run' || path.startsWith('/run/')) return 'tmpfs';
  return 'dm-0';
}

/**
 * The filesystem: a map of normalised path → object, with stable inode numbers handed out by
 * `allocIno` (the host persists the counter so numbers survive restarts).
 */
export class HostFs {
  private readonly objects = new Map<string, HostObject>();

  constructor(private readonly allocIno: (path: string) => number) {}

  /** the object `path` names, following symbolic links of this filesystem on the way (stat) */
  get(path: string): HostObject | undefined {
    return this.objects.get(this.resolve(path));
  }

  has(path: string): boolean {
    return this.objects.has(this.resolve(path));
  }

  /** the canonical path `path` names: lexical normalisation plus this filesystem's links */
  resolve(path: string): string {
    return canonicalPath(path, 'path', this.links > 0 ? this.readlink : undefined);
  }

  /** number of symbolic links in this filesystem (none: resolution is lexical) */
  private links = 0;

  private readonly readlink: ReadLink = (p) => {
    const o = this.objects.get(p);
    return o?.tclass === 'lnk_file' ? o.target : undefined;
  };

  /**
   * Add an object (and, with `parents`, any missing parent directories labelled by `dirLabel`).
   * Adding an existing path of the same class updates nothing and returns the existing object.
   */
  add(path: string, tclass: ObjectClass, label: string, parents?: (dir: string) => string, target?: string): HostObject {
    const p = normalizePath(path);
    const existing = this.objects.get(p);
    if (existing !== undefined) {
      if (existing.tclass !== tclass) throw usageError(`${p} exists as ${existing.tclass}, not ${tclass}`);
      return existing;
    }
    const parent = parentPath(p);
    if (parent !== undefined && !this.objects.has(parent)) {
      if (parents === undefined) throw usageError(`cannot create ${p}: no such directory ${parent}`);
      this.add(parent, 'dir', parents(parent), parents);
    }
    const obj: HostObject = { path: p, tclass, dev: deviceOf(p), ino: this.allocIno(p), label, ...(target !== undefined ? { target } : {}) };
    this.objects.set(p, obj);
    if (tclass === 'lnk_file') this.links++;
    return obj;
  }

  remove(path: string): boolean {
    const p = normalizePath(path);
    if (this.children(p).length > 0) throw usageError(`cannot remove ${p}: directory not empty`);
    if (this.objects.get(p)?.tclass === 'lnk_file') this.links--;
    return this.objects.delete(p);
  }

  /** direct children of a directory, sorted by name (byte order, as `LC_ALL=C ls`) */
  children(dir: string): HostObject[] {
    const d = normalizePath(dir);
    const out: HostObject[] = [];
    for (const o of this.objects.values()) if (o.path !== d && parentPath(o.path) === d) out.push(o);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** every object, sorted by path */
  all(): HostObject[] {
    return [...this.objects.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
