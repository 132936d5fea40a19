/**
 * `--state FILE`: guests and labels from a real host state (the label manager's SQLite store,
 * src/label/store.ts). Every RUNNING guest with a live SELinux label becomes a simulated guest:
 * its process label, and as images the files labelled for it with role `image` (its private
 * writable disks). Shared, read-only and backing files are not the guest's own, so they are left
 * out. A guest without image files gets one virtual image with its `imageLabel`. Image paths are
 * canonical (label/paths.ts), and the state file is opened read-only.
 *
 * The simulator needs the same number of images per guest: guests with fewer images repeat their
 * own (same label, same path) — own-image operations stay own-image operations.
 */
import { existsSync } from 'node:fs';
import { quoteInput, usageError } from '../errors.js';
import { canonicalPath } from '../label/paths.js';
import { openSqliteStore } from '../label/store.js';
import type { GuestSpec } from './world.js';

export interface StateGuests {
  readonly guests: GuestSpec[];
  /** guests in the store that were not simulated, and why */
  readonly skipped: Array<{ name: string; reason: string }>;
}

export function guestsFromState(path: string, maxImages: number): StateGuests {
  if (!existsSync(path)) throw usageError(`--state ${quoteInput(path)}: no such file`);
  // read-only: simulating a host's guests never changes its state file
  const store = openSqliteStore(path, { readonly: true });
  try {
    const guests: GuestSpec[] = [];
    const skipped: StateGuests['skipped'] = [];
    const raw: Array<{ name: string; process: string; images: Array<[string, string]> }> = [];
    for (const rec of store.listGuests()) {
      const name = rec.def.name;
      if (rec.state !== 'running') {
        skipped.push({ name, reason: 'not running' });
        continue;
      }
      const live = rec.live.find((l) => l.model === 'selinux');
      if (!live || live.label === undefined) {
        skipped.push({ name, reason: 'no live SELinux process label' });
        continue;
      }
      const images: Array<[string, string]> = rec.files
        .filter((f) => f.model === 'selinux' && f.role === 'image')
        // a record written before paths were canonical: one file keeps one name in the simulation
        .map((f) => [canonicalPath(f.path, `--state ${name} image`), f.label]);
      if (images.length === 0 && live.imageLabel !== undefined) images.push([`(virtual image of ${name})`, live.imageLabel]);
      if (images.length === 0) {
        skipped.push({ name, reason: 'no image label' });
        continue;
      }
      raw.push({ name, process: live.label, images: images.slice(0, maxImages) });
    }
    if (raw.length === 0) throw usageError(`--state ${quoteInput(path)}: no running guest with SELinux labels`);
    const I = Math.max(...raw.map((r) => r.images.length));
    for (const r of raw) {
      const images: string[] = [];
      const paths: string[] = [];
      for (let k = 0; k < I; k++) {
        const [p, label] = r.images[k % r.images.length]!;
        paths.push(p);
        images.push(label);
      }
      guests.push({ name: r.name, process: r.process, images, paths });
    }
    return { guests, skipped };
  } finally {
    store.close();
  }
}
