/**
 * Disk locks: what libvirt leaves to its lock manager (virtlockd, src/locking/lock_driver_lockd.c)
 * and QEMU's own image locking, decided by svirt from its state. Keys are canonical paths
 * (paths.ts), so two spellings of one file are one lock.
 *
 * Access per use of a file (docs/libvirt-labels.md "Disk locks"):
 * - `exclusive`: a writable top image that is not shareable (virtlockd: exclusive lease);
 * - `shared`: a shareable top image (virtlockd: shared lease; QEMU share-rw);
 * - `read`: a read-only top image or any backing layer (virtlockd takes no lease for these, but
 *   QEMU's image locking refuses a read open of an image another QEMU writes without sharing, and
 *   the labels differ: a reader would relabel the writer's image to the content label).
 * Two uses of one file are compatible only when both are `read` or both are `shared`; anything
 * else is refused — across running guests at start (naming the holder) and inside one definition
 * at define (the same image listed twice with different access, or one writable disk twice).
 */
import { guestError, quoteInput } from '../errors.js';
import type { GuestDef, GuestRecord } from './guest-types.js';
import { canonicalPath } from './paths.js';

export type DiskAccess = 'exclusive' | 'shared' | 'read';

export interface DiskUse {
  readonly path: string;
  readonly access: DiskAccess;
  /** 1-based disk index in the definition */
  readonly disk: number;
  /** 0 = the top image, n = backing layer n */
  readonly layer: number;
}

const DESCRIBE: Readonly<Record<DiskAccess, string>> = {
  exclusive: 'writable',
  shared: 'shareable',
  read: 'read-only',
};

/** every file a definition opens, with the access it needs, in disk order */
export function diskUses(def: GuestDef): DiskUse[] {
  const out: DiskUse[] = [];
  def.disks.forEach((d, i) => {
    out.push({ path: d.source, access: d.readonly ? 'read' : d.shareable ? 'shared' : 'exclusive', disk: i + 1, layer: 0 });
    d.backingChain.forEach((b, j) => out.push({ path: b.source, access: 'read', disk: i + 1, layer: j + 1 }));
  });
  return out;
}

export function compatible(a: DiskAccess, b: DiskAccess): boolean {
  return (a === 'read' && b === 'read') || (a === 'shared' && b === 'shared');
}

function describe(u: DiskUse): string {
  return `disk ${u.disk}${u.layer > 0 ? ` backing layer ${u.layer}` : ''} ${quoteInput(u.path)} (${DESCRIBE[u.access]})`;
}

/**
 * One definition may name a file several times only when every use is compatible (e.g. two
 * overlays on one backing file). Linear in the number of uses.
 */
export function checkOwnDiskUses(def: GuestDef): void {
  const first = new Map<string, DiskUse>();
  for (const u of diskUses(def)) {
    const seen = first.get(u.path);
    if (seen === undefined) first.set(u.path, u);
    else if (!compatible(seen.access, u.access)) {
      throw guestError('disk-in-use', def.name, `guest ${quoteInput(def.name)}: ${describe(u)} is also ${describe(seen)} of the same guest`);
    }
  }
}

/**
 * Refuse to start `def` when a running guest holds one of its files incompatibly; the error names
 * the holder. `running` are the other guests (the starting guest itself is skipped by name).
 * Linear in the total number of uses.
 */
export function checkDiskLocks(def: GuestDef, running: readonly GuestRecord[]): void {
  const mine = new Map<string, DiskUse>();
  // the definition's own uses of one file are compatible (checkOwnDiskUses): any one stands for all
  for (const u of diskUses(def)) if (!mine.has(u.path)) mine.set(u.path, u);
  if (mine.size === 0) return;
  for (const g of running) {
    if (g.state !== 'running' || g.def.name === def.name) continue;
    for (const held of diskUses(g.def)) {
      // a record written before paths were canonical still names the same file
      const want = mine.get(canonicalPath(held.path, 'stored disk source'));
      if (want === undefined || compatible(want.access, held.access)) continue;
      throw guestError(
        'disk-in-use',
        def.name,
        `cannot start guest ${quoteInput(def.name)}: ${describe(want)} is in use by running guest ${quoteInput(g.def.name)} as ${describe(held)}`,
      );
    }
  }
}
