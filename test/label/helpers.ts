/** Shared helpers for the label tests (not a test file). */
import type { HostStore } from '../../src/label/store.js';

/** Everything observable in a store, for "left as it was" comparisons. */
export function snapshot(store: HostStore): unknown {
  return {
    guests: store.listGuests(),
    mcs: store.listMcs().sort((a, b) => (a.guest < b.guest ? -1 : 1)),
    files: store.listFileLabels(),
    remembered: store.listRemembered().sort((a, b) => (a.path + a.model < b.path + b.model ? -1 : 1)),
    pid: store.getMeta('next_pid'),
    audit: store.listAudit(),
  };
}

export const IMG = '/var/lib/libvirt/images';
